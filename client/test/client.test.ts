import { exports } from "cloudflare:workers";
import { describe, expect, expectTypeOf, it } from "vitest";
import { newUser } from "../../test/helpers/auth";
import { workflowBody } from "../../test/helpers/fixtures";
import committedDocument from "../openapi.json";
import { createHydraClient, HydraApiError, parseSse, type RunEvent, type Schema } from "../src";

const BASE = "https://hydra.test";
/** The Worker itself, called in-process the way a deployed client would call it over the network. */
const workerFetch = (request: Request) => exports.default.fetch(request);

async function client(label = "client") {
  const user = await newUser(label);
  return { user, hydra: createHydraClient({ baseUrl: BASE, token: user.token, fetch: workerFetch }) };
}

async function caught(promise: Promise<unknown>): Promise<HydraApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HydraApiError);
  return err as HydraApiError;
}

/** Cuts a stream after `frames` SSE frames, as a dropped connection would. */
function cutAfter(response: Response, frames: number): Response {
  let seen = 0;
  let buffered = "";
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const body = response.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf("\n\n")) >= 0) {
          controller.enqueue(encoder.encode(buffered.slice(0, end + 2)));
          buffered = buffered.slice(end + 2);
          if (++seen >= frames) {
            controller.error(new Error("connection dropped"));
            return;
          }
        }
      },
    }),
  );
  return new Response(body, { status: response.status, headers: response.headers });
}

describe("@hydra-edge/client", () => {
  it("is generated from the document the API serves now (regenerate with npm run client:generate)", async () => {
    const live = await (await workerFetch(new Request(`${BASE}/openapi.json`))).json<any>();
    expect(committedDocument.paths).toEqual(live.paths);
    expect(committedDocument.components).toEqual(live.components);
  });

  it("types and calls the REST routes, unwrapping nothing and hiding nothing", async () => {
    const { user, hydra } = await client("client-rest");
    const me = await hydra.rest.GET("/v1/users/me");
    expect(me.data!.data.userId).toBe(user.sub);
    expectTypeOf(me.data!.data).toEqualTypeOf<Schema<"UserProfile">>();

    const created = await hydra.rest.POST("/v1/workflows", { body: workflowBody() as never });
    expect(created.response.status).toBe(201);
    const workflow = created.data!.data;
    expectTypeOf(workflow).toEqualTypeOf<Schema<"Workflow">>();
    expect(workflow.currentVersion).toBe("1.0.0");

    const page = await hydra.rest.GET("/v1/workflows", { params: { query: { limit: 1 } } });
    expect(page.data!.data.map((w) => w.workflowId)).toEqual([workflow.workflowId]);
    expect(page.data!.pagination).toMatchObject({ hasMore: false, count: 1 });

    const versions = await hydra.rest.GET("/v1/workflows/{workflowId}/versions", { params: { path: { workflowId: workflow.workflowId } } });
    expect(versions.data!.data.map((v) => v.version)).toEqual(["1.0.0"]);

    // Type-level only (never called): tsc fails the build if these stop being errors.
    const typeErrors = () => {
      // @ts-expect-error a path the API does not have is a type error
      void hydra.rest.GET("/v1/nowhere");
      // @ts-expect-error so is a missing path parameter
      void hydra.rest.GET("/v1/workflows/{workflowId}", { params: { path: {} } });
    };
    expectTypeOf(typeErrors).toBeFunction();
  });

  it("surfaces REST errors as one HydraApiError with code, status and details", async () => {
    const { hydra } = await client("client-errors");
    const missing = await caught(hydra.rest.GET("/v1/workflows/{workflowId}", { params: { path: { workflowId: "wf_missing" } } }));
    expect(missing).toMatchObject({ code: "NOT_FOUND", status: 404 });

    const invalid = await caught(hydra.rest.POST("/v1/api-keys", { body: { name: "" } }));
    expect(invalid.code).toBe("VALIDATION_ERROR");
    expect(invalid.status).toBe(400);
    expect(invalid.details.issues).toEqual([expect.objectContaining({ path: "name" })]);

    const anonymous = createHydraClient({ baseUrl: BASE, fetch: workerFetch });
    expect(await caught(anonymous.rest.GET("/v1/users/me"))).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(await caught(anonymous.rpc("hydra.status"))).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
  });

  it("takes a token function (asked per request) and API keys", async () => {
    const { hydra } = await client("client-keys");
    const key = (await hydra.rest.POST("/v1/api-keys", { body: { name: "client test" } })).data!.data.key;
    let asked = 0;
    const withKey = createHydraClient({ baseUrl: `${BASE}/`, token: () => (asked++, key), fetch: workerFetch });
    const keys = await withKey.rest.GET("/v1/api-keys");
    expect(keys.data!.data.map((k) => k.name)).toEqual(["client test"]);
    expect(asked).toBe(1);
  });

  it("types the JSON-RPC methods and surfaces JSON-RPC errors with their code and data", async () => {
    const { hydra } = await client("client-rpc");
    const health = await hydra.rpc("hydra.health");
    expect(health.dependencies.d1.status).toBe("ok");

    const started = await hydra.rpc("hydra.run", { intent: "Summarise the README" });
    expect(started.status).toBe("accepted");
    expectTypeOf(started.run_id).toBeString();
    const { runs } = await hydra.rpc("hydra.status", { run_id: started.run_id });
    expect(runs[0]!.id).toBe(started.run_id);

    const notFound = await caught(hydra.rpc("hydra.cancel", { run_id: "run-that-is-not-there" }));
    expect(notFound).toMatchObject({ code: -32602, status: 200, details: { field: "run_id", reason: "not_found" } });
    expect(notFound.reason).toBe("not_found");

    const badParams = await caught(hydra.rpc("hydra.kill", { level: "sideways" as never }));
    expect(badParams.code).toBe(-32602);

    const typeErrors = () => {
      // @ts-expect-error unknown methods are type errors
      void hydra.rpc("hydra.explode", {});
      // @ts-expect-error approve needs a decision
      void hydra.rpc("hydra.approve", { approval_id: "a" });
    };
    expectTypeOf(typeErrors).toBeFunction();
  });

  it("follows a run to its end across dropped connections, resuming with Last-Event-ID", async () => {
    const user = await newUser("client-sse");
    const sentLastEventIds: (string | null)[] = [];
    let connections = 0;
    const flaky = async (request: Request) => {
      const response = await workerFetch(request);
      if (!new URL(request.url).pathname.endsWith("/events")) return response;
      sentLastEventIds.push(request.headers.get("Last-Event-ID"));
      connections += 1;
      // The first two connections drop after three frames each.
      return connections <= 2 ? cutAfter(response, 3) : response;
    };
    const hydra = createHydraClient({ baseUrl: BASE, token: user.token, fetch: flaky });
    const { run_id } = await hydra.rpc("hydra.run", { intent: "Research how our cache works" });
    // Two cuts after three frames each need a log of seven events or more: let the run get that
    // far (on a loaded machine a cancel could otherwise land after its first event), then end it.
    const log = await workerFetch(new Request(`${BASE}/runs/${run_id}/events`, { headers: { Authorization: `Bearer ${user.token}` } }));
    let logged = 0;
    for await (const _event of parseSse(log.body!)) if (++logged >= 7) break;
    expect(logged).toBe(7);
    // A run that already ended is fine too.
    await hydra.rpc("hydra.cancel", { run_id }).catch((err: HydraApiError) => expect(err.reason).toBe("not_active"));

    const events: RunEvent[] = [];
    for await (const event of hydra.followRun(run_id, { retryDelayMs: 10 })) events.push(event);

    expect(events[0]).toMatchObject({ event: "run_started", data: { run_id } });
    expect(["run_completed", "run_cancelled", "run_error"]).toContain(events.at(-1)!.event);
    // Every event exactly once, in order, though the stream broke twice.
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(connections).toBe(3);
    expect(sentLastEventIds[0]).toBeNull();
    expect(Number(sentLastEventIds[1])).toBeGreaterThan(0);
    expect(Number(sentLastEventIds[2])).toBeGreaterThan(Number(sentLastEventIds[1]));
  });

  it("ends at once for a finished run followed from after its last event, and throws for someone else's run", async () => {
    const { hydra } = await client("client-sse-end");
    const { run_id } = await hydra.rpc("hydra.run", { intent: "Look around" });
    await hydra.rpc("hydra.cancel", { run_id }).catch(() => undefined);
    const all: RunEvent[] = [];
    for await (const event of hydra.followRun(run_id)) all.push(event);
    const after: RunEvent[] = [];
    for await (const event of hydra.followRun(run_id, { lastEventId: all.at(-1)!.id! })) after.push(event);
    expect(after).toEqual([]);

    const { hydra: stranger } = await client("client-sse-stranger");
    const refused = await caught(
      (async () => {
        for await (const _ of stranger.followRun(run_id)) void _;
      })(),
    );
    expect(refused).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("parses SSE frames split across chunks", async () => {
    const text = 'id: 1\nevent: run_started\ndata: {"run_id":"r"}\n\n: comment\n\nid: 2\nevent: heartbeat\ndata: {"status":"alive"}\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    const events: RunEvent[] = [];
    for await (const event of parseSse(body)) events.push(event);
    expect(events).toEqual([
      { id: "1", event: "run_started", data: { run_id: "r" } },
      { id: "2", event: "heartbeat", data: { status: "alive" } },
    ]);
  });
});
