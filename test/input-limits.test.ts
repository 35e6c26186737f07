import { createExecutionContext, env } from "cloudflare:test";
import { createApp } from "../src/app";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, nestsDeeperThan, readBoundedJson } from "../src/http/json-limits";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow } from "./helpers/deployments";
import { workflowBody } from "./helpers/fixtures";
import { api, readResponse, request } from "./helpers/http";

const MARK = '"__DEEP__"';
const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
/** The JSON of `template` with the string "__DEEP__" replaced by raw (deep) JSON. */
const withDeep = (template: unknown, deep: string) => JSON.stringify(template).replace(MARK, deep);

async function workflowRows(userId: string) {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflows WHERE owner_id = ?").bind(userId).first<{ n: number }>();
  return row!.n;
}

describe("the bounded JSON reader", () => {
  it("counts only structural brackets, not brackets inside strings or escapes", () => {
    expect(nestsDeeperThan(deepArray(3), 3)).toBe(false);
    expect(nestsDeeperThan(deepArray(4), 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ s: "[[[[[[[[[[{{{{{{" }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'a\\"[[[[[["' }), 2)).toBe(false);
    expect(nestsDeeperThan(`[${JSON.stringify("\\")}, [[[]]]]`, 3)).toBe(true);
  });

  it("refuses size first, then depth, then syntax, each naming its limit", () => {
    expect(readBoundedJson("x".repeat(11), { maxBytes: 10 })).toMatchObject({ ok: false, reason: "too_large", maxBytes: 10 });
    // Multi-byte characters count in UTF-8 bytes, not UTF-16 units.
    expect(readBoundedJson(`"${"é".repeat(5)}"`, { maxBytes: 10 })).toMatchObject({ ok: false, reason: "too_large" });
    expect(readBoundedJson(deepArray(MAX_JSON_DEPTH + 1), { maxBytes: 1e6 })).toMatchObject({
      ok: false,
      reason: "too_deep",
      maxDepth: MAX_JSON_DEPTH,
      message: expect.stringContaining("MAX_JSON_DEPTH"),
    });
    expect(readBoundedJson(deepArray(MAX_JSON_DEPTH), { maxBytes: 1e6 })).toMatchObject({ ok: true });
    expect(readBoundedJson("{nope", { maxBytes: 1e6 })).toMatchObject({ ok: false, reason: "malformed" });
    // A scan, not recursion: a million levels cost nothing but a loop.
    expect(readBoundedJson(deepArray(1_000_000), { maxBytes: 1e7 })).toMatchObject({ ok: false, reason: "too_deep" });
  });
});

describe("REST bodies nested too deep", () => {
  it("a manifest whose parameters nest 997 levels deep is a 400 naming the limit, and nothing is written", async () => {
    const u = await newUser();
    const body = workflowBody();
    (body.manifest.steps[0] as Record<string, unknown>).parameters = { nested: "__DEEP__" };
    const res = await api("POST", "/v1/workflows", { token: u.token, rawBody: withDeep(body, deepObject(997)) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      error: { code: "VALIDATION_ERROR", message: expect.stringContaining("MAX_JSON_DEPTH"), details: { limit: "MAX_JSON_DEPTH", maxDepth: MAX_JSON_DEPTH } },
    });
    expect(res.body.error.details.issues).toEqual([{ path: "(body)", message: expect.stringContaining(String(MAX_JSON_DEPTH)) }]);
    expect(await workflowRows(u.sub)).toBe(0);
  });

  it("an action that is an array nested 5,000 deep is a 400, on create and on update", async () => {
    const u = await newUser();
    const body = workflowBody();
    (body.manifest.steps[0] as Record<string, unknown>).action = "__DEEP__";
    const created = await api("POST", "/v1/workflows", { token: u.token, rawBody: withDeep(body, deepArray(5000)) });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { limit: "MAX_JSON_DEPTH" } });

    const wf = await createWorkflow(u.token);
    const updated = await api("PUT", `/v1/workflows/${wf.workflowId}`, { token: u.token, rawBody: withDeep(body, deepArray(5000)) });
    expect(updated.status).toBe(400);
    expect(updated.body.error.details.limit).toBe("MAX_JSON_DEPTH");
    const versions = await api("GET", `/v1/workflows/${wf.workflowId}/versions`, { token: u.token });
    expect(versions.body.data.map((v: any) => v.version)).toEqual(["1.0.0"]);
  });

  it("a body exactly at the limit is parsed as usual", async () => {
    const u = await newUser();
    const body = workflowBody();
    // body(1) > manifest(2) > steps(3) > step(4) > parameters(5) > …: fill up to MAX_JSON_DEPTH.
    (body.manifest.steps[0] as Record<string, unknown>).parameters = { nested: "__DEEP__" };
    const atLimit = await api("POST", "/v1/workflows", { token: u.token, rawBody: withDeep(body, deepObject(MAX_JSON_DEPTH - 5)) });
    expect(atLimit.status, JSON.stringify(atLimit.body)).toBe(201);
    const over = await api("POST", "/v1/workflows", { token: u.token, rawBody: withDeep(body, deepObject(MAX_JSON_DEPTH - 4)) });
    expect(over.status).toBe(400);
    expect(over.body.error.details.limit).toBe("MAX_JSON_DEPTH");
  });
});

describe("/rpc answers every body problem as JSON-RPC", () => {
  it("params nested 50,000 deep: -32600 naming the limit", async () => {
    const u = await newUser();
    const raw = withDeep({ jsonrpc: "2.0", id: 7, method: "hydra.run", params: { intent: "x", extra: "__DEEP__" } }, deepArray(50_000));
    const res = await api("POST", "/rpc", { token: u.token, rawBody: raw });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { limit: "MAX_JSON_DEPTH", maxDepth: MAX_JSON_DEPTH } } });
    expect(res.body.success).toBeUndefined();
  });

  it("an oversized body: 413 with a JSON-RPC error, not the REST envelope", async () => {
    const u = await newUser();
    const raw = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hydra.run", params: { intent: "x".repeat(300 * 1024) } });
    const res = await api("POST", "/rpc", { token: u.token, rawBody: raw });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining("MAX_BODY_BYTES"), data: { limit: "MAX_BODY_BYTES" } } });
    expect(res.body.success).toBeUndefined();
  });
});

describe("/mcp answers every body problem as JSON-RPC", () => {
  async function deployment() {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    return { u, path: `/mcp/${d.deploymentId}` };
  }

  it("a tools/call argument nested 50,000 deep: 400 with -32600 naming the limit", async () => {
    const { u, path } = await deployment();
    const raw = withDeep({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_workflows", arguments: { x: "__DEEP__" } } }, deepArray(50_000));
    const res = await api("POST", path, { token: u.token, headers: MCP_HEADERS, rawBody: raw });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining("MAX_JSON_DEPTH"), data: { limit: "MAX_JSON_DEPTH" } } });
    expect(res.body.success).toBeUndefined();
  });

  it("an oversized body: 413 with a JSON-RPC error", async () => {
    const { u, path } = await deployment();
    const raw = JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list", params: { pad: "x".repeat(300 * 1024) } });
    const res = await api("POST", path, { token: u.token, headers: MCP_HEADERS, rawBody: raw });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { limit: "MAX_BODY_BYTES" } } });
    // Refused before any handler ran, yet still a request like any other: it carries its id.
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("a crash on a JSON-RPC endpoint", () => {
  it("is a JSON-RPC internal error on /rpc and /mcp, and the REST envelope on /v1", async () => {
    const u = await newUser();
    // A misconfigured server fails every request with a generic 500.
    const broken = { ...env, MAX_BODY_BYTES: "lots" };
    const send = async (path: string, body: unknown) =>
      readResponse(await createApp().fetch(request("POST", path, { token: u.token, headers: MCP_HEADERS, body }), broken, createExecutionContext()));
    for (const path of ["/rpc", "/mcp/dep_whatever"]) {
      const res = await send(path, { jsonrpc: "2.0", id: 1, method: "ping" });
      expect(res.status, path).toBe(500);
      expect(res.body, path).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "The server is misconfigured" } });
    }
    const rest = await send("/v1/workflows", workflowBody());
    expect(rest.status).toBe(500);
    expect(rest.body).toMatchObject({ success: false, error: { code: "INTERNAL_ERROR" } });
  });
});
