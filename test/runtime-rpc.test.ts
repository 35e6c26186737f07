import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { manualRpc, rpc } from "./helpers/runtime";

const post = (token: string | undefined, rawBody: string) => api("POST", "/rpc", { token, rawBody });

describe("POST /rpc: JSON-RPC 2.0 framing", () => {
  it("answers 401 in the REST envelope without credentials", async () => {
    const res = await api("POST", "/rpc", { body: { jsonrpc: "2.0", id: 1, method: "hydra.health" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(res.body).toMatchObject({ success: false, error: { code: "UNAUTHORIZED" } });
  });

  it("-32700 for invalid JSON, with id null and HTTP 200", async () => {
    const { token } = await newUser();
    const res = await post(token, '{"jsonrpc": "2.0", "method": ');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error", data: { reason: "The request body is not valid JSON" } } });
  });

  it("-32600 for every kind of invalid request", async () => {
    const { token } = await newUser();
    const cases: [string, unknown, string][] = [
      ['{"id":1,"method":"hydra.health"}', 1, '"jsonrpc" must be exactly "2.0"'],
      ['{"jsonrpc":"1.0","id":2,"method":"hydra.health"}', 2, '"jsonrpc" must be exactly "2.0"'],
      ['{"jsonrpc":"2.0","id":3}', 3, '"method" must be a non-empty string'],
      ['{"jsonrpc":"2.0","id":4,"method":7}', 4, '"method" must be a non-empty string'],
      ['{"jsonrpc":"2.0","id":{"x":1},"method":"hydra.health"}', null, '"id" must be a string, a number or null'],
      ['{"jsonrpc":"2.0","id":5,"method":"hydra.health","params":"x"}', 5, '"params" must be an object or an array'],
      ["42", null, "A request must be a JSON object"],
      ["[]", null, "A batch must not be empty"],
    ];
    for (const [body, id, reason] of cases) {
      const res = await post(token, body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid Request", data: { reason } } });
    }
  });

  it("-32601 for unknown methods, -32602 with field paths for invalid params", async () => {
    const { token } = await newUser();
    const missing = await rpc(token, "hydra.explode", {});
    expect(missing.body.error).toEqual({ code: -32601, message: "Method not found", data: { method: "hydra.explode" } });
    const positional = await rpc(token, "hydra.run", ["do it"]);
    expect(positional.body.error).toMatchObject({ code: -32602, data: { reason: "params must be an object (by-name parameters)" } });
    const unknownField = await rpc(token, "hydra.cancel", { run_id: "x", force: true });
    expect(unknownField.body.error.code).toBe(-32602);
    expect(unknownField.body.error.data.issues[0].message).toContain("force");
    const noRun = await rpc(token, "hydra.cancel", {});
    expect(noRun.body.error).toMatchObject({ code: -32602, data: { issues: [{ path: "run_id" }] } });
  });

  it("notifications get no response: 204 when the request held only notifications", async () => {
    const { token } = await newUser();
    const single = await post(token, JSON.stringify({ jsonrpc: "2.0", method: "hydra.health" }));
    expect(single.status).toBe(204);
    expect(single.body).toBeNull();
    const batch = await post(token, JSON.stringify([{ jsonrpc: "2.0", method: "hydra.status" }, { jsonrpc: "2.0", method: "nope" }]));
    expect(batch.status).toBe(204);
  });

  it("batches answer each request in order, skipping notifications", async () => {
    const { token } = await newUser();
    const res = await post(
      token,
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "hydra.status" },
        { jsonrpc: "2.0", method: "hydra.status" },
        { jsonrpc: "2.0", id: "b", method: "nope" },
        1,
        { jsonrpc: "2.0", id: "c", method: "hydra.kill", params: { level: "freeze" } },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { jsonrpc: "2.0", id: "a", result: { runs: [] } },
      { jsonrpc: "2.0", id: "b", error: { code: -32601, message: "Method not found", data: { method: "nope" } } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request", data: { reason: "A request must be a JSON object" } } },
      { jsonrpc: "2.0", id: "c", result: { success: true, level: "freeze", cancelled_runs: 0 } },
    ]);
    const tooBig = await post(token, JSON.stringify(Array.from({ length: 51 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "hydra.status" }))));
    expect(tooBig.body.error).toMatchObject({ code: -32600, data: { reason: "A batch holds at most 50 requests" } });
  });
});

describe("isolation between users", () => {
  it("a second user can neither see nor control the first user's runs", async () => {
    const owner = await newUser();
    const other = await newUser();
    const runId = (await manualRpc(owner.token, "hydra.run", { intent: "Research private things" })).body.result.run_id;
    const notFound = { code: -32602, message: `Run '${runId}' was not found`, data: { field: "run_id", reason: "not_found" } };

    expect((await rpc(other.token, "hydra.status", { run_id: runId })).body.error).toEqual(notFound);
    expect((await rpc(other.token, "hydra.status", {})).body.result).toEqual({ runs: [] });
    expect((await rpc(other.token, "hydra.cancel", { run_id: runId })).body.error).toEqual(notFound);
    expect((await rpc(other.token, "hydra.resume", { run_id: runId })).body.error).toEqual(notFound);
    expect((await rpc(other.token, "hydra.kill", { level: "instant" })).body.result.cancelled_runs).toBe(0);

    const mine = (await rpc(owner.token, "hydra.status", {})).body.result.runs;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: runId, intent: "Research private things", status: "running" });
    expect(mine[0].steps[0]).toMatchObject({ description: "Perceiving intent", phase: "perceive", status: "pending" });
  });
});

describe("health", () => {
  it("hydra.health and GET /health report uptime and each dependency's real state", async () => {
    const { token } = await newUser();
    const res = await rpc(token, "hydra.health");
    expect(res.body.result).toMatchObject({
      status: "ok",
      dependencies: {
        d1: { status: "ok" },
        kv: { status: "ok" },
        durable_objects: { status: "ok" },
        llm_provider: { status: "not_configured" },
      },
    });
    expect(res.body.result.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(res.body.result.sisters).toEqual({ d1: "ok", kv: "ok", durable_objects: "ok", llm_provider: "not_connected" });

    const http = await api("GET", "/health");
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({ status: "ok", service: "hydra-edge", environment: "test", dependencies: { d1: { status: "ok" } } });
    expect(typeof http.body.uptime_seconds).toBe("number");
  });
});
