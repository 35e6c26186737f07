import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { workflowBody } from "./helpers/fixtures";
import { api } from "./helpers/http";

function expectEnvelope(body: any, code: string) {
  expect(body).toMatchObject({ success: false, error: { code } });
  expect(typeof body.error.message).toBe("string");
  expect(body.error.details).toBeTypeOf("object");
}

describe("error envelope", () => {
  it("unknown routes give NOT_FOUND in the envelope", async () => {
    const res = await api("GET", "/nope");
    expect(res.status).toBe(404);
    expectEnvelope(res.body, "NOT_FOUND");

    const user = await newUser();
    const v1 = await api("GET", "/v1/does-not-exist", { token: user.token });
    expect(v1.status).toBe(404);
    expectEnvelope(v1.body, "NOT_FOUND");
  });

  it("a wrong method on a known path is 405 METHOD_NOT_ALLOWED with Allow, after auth and with rate-limit headers", async () => {
    const user = await newUser();
    const res = await api("PATCH", "/v1/workflows", { token: user.token, body: {} });
    expect(res.status).toBe(405);
    expectEnvelope(res.body, "METHOD_NOT_ALLOWED");
    expect(res.body.error.details).toEqual({ allowed: ["GET", "POST", "HEAD"] });
    expect(res.headers.get("Allow")).toBe("GET, POST, HEAD");
    expect(res.headers.get("X-RateLimit-Limit")).toMatch(/^\d+$/);

    const item = await api("POST", "/v1/workflows/wf_whatever", { token: user.token, body: {} });
    expect(item.status).toBe(405);
    expect(item.headers.get("Allow")).toBe("GET, PUT, DELETE, HEAD");

    // Without credentials the path is not revealed: 401 first.
    const anonymous = await api("PATCH", "/v1/workflows");
    expect(anonymous.status).toBe(401);
    expectEnvelope(anonymous.body, "UNAUTHORIZED");

    const health = await api("POST", "/health");
    expect(health.status).toBe(405);
    expectEnvelope(health.body, "METHOD_NOT_ALLOWED");
  });

  it("a trailing slash names the same resource", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/workflows/", { token: user.token, body: workflowBody() });
    expect(created.status).toBe(201);
    const list = await api("GET", "/v1/workflows/", { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((w: any) => w.workflowId)).toEqual([created.body.data.workflowId]);
    expect(list.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 1 });
    expect(list.headers.get("X-RateLimit-Remaining")).toMatch(/^\d+$/);
    const one = await api("GET", `/v1/workflows/${created.body.data.workflowId}/`, { token: user.token });
    expect(one.status).toBe(200);
    expect(one.body.data.workflowId).toBe(created.body.data.workflowId);
  });

  it("malformed JSON is a VALIDATION_ERROR, not a 500", async () => {
    const user = await newUser();
    const res = await api("POST", "/v1/workflows", { token: user.token, rawBody: '{"name": "x",' });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, "VALIDATION_ERROR");
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it("bodies over the size limit give 413 PAYLOAD_TOO_LARGE", async () => {
    const user = await newUser();
    const huge = JSON.stringify(workflowBody({ description: "x".repeat(300 * 1024) }));
    const res = await api("POST", "/v1/workflows", { token: user.token, rawBody: huge });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, "PAYLOAD_TOO_LARGE");
    expect(res.body.error.details.maxBytes).toBe(256 * 1024);
    // Like every /v1 response, the 413 carries the rate-limit headers.
    expect(res.headers.get("X-RateLimit-Limit")).toMatch(/^\d+$/);
    expect(res.headers.get("X-RateLimit-Reset")).toMatch(/^\d+$/);

    const outsideV1 = await api("POST", "/health", { token: user.token, rawBody: huge });
    expect(outsideV1.status).toBe(413);
    expectEnvelope(outsideV1.body, "PAYLOAD_TOO_LARGE");
    // A JSON-RPC endpoint answers the same limit as a JSON-RPC error (test/input-limits.test.ts).
    const rpc = await api("POST", "/rpc", { token: user.token, rawBody: huge });
    expect(rpc.status).toBe(413);
    expect(rpc.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { maxBytes: 256 * 1024 } } });
  });

  it("validation errors list every offending field path", async () => {
    const user = await newUser();
    const res = await api("POST", "/v1/workflows", {
      token: user.token,
      body: { name: "", visibility: "secret", manifest: { manifest_version: "2.0", name: "x", steps: [] } },
    });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, "VALIDATION_ERROR");
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "visibility", "manifest.manifest_version", "manifest.steps"]));
  });

  it("successes use the success envelope and carry a request id", async () => {
    const user = await newUser();
    const res = await api("GET", "/v1/users/me", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.userId).toBe(user.sub);
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });
});

describe("uncaught exceptions", () => {
  it("become INTERNAL_ERROR without leaking the message or stack", async () => {
    const { createApp } = await import("../src/app");
    const { env } = await import("cloudflare:test");
    const { request, readResponse } = await import("./helpers/http");
    const app = createApp();
    app.get("/boom", () => {
      throw new Error("db password is hunter2");
    });
    const res = await readResponse(await app.fetch(request("GET", "/boom"), env));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      error: { code: "INTERNAL_ERROR", message: "An unexpected error occurred", details: {} },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|at /);
  });
});

describe("CORS", () => {
  it("answers preflight without auth and exposes the rate-limit headers", async () => {
    const preflight = await api("OPTIONS", "/v1/workflows", {
      headers: { Origin: "https://dashboard.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");

    const user = await newUser();
    const res = await api("GET", "/v1/users/me", { token: user.token, headers: { Origin: "https://dashboard.example" } });
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-RateLimit-Remaining");
  });
});
