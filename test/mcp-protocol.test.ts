import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";
import { missingDeploymentKvKey } from "../src/deployments/missing-deployments";

async function setup(extra: Record<string, unknown> = {}) {
  const u = await newUser();
  const wf = await createWorkflow(u.token);
  const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], ...extra });
  const path = `/mcp/${d.deploymentId}`;
  return { u, wf, d, path };
}

async function initialize(path: string, token: string, clientName = "claude-code", protocolVersion = "2025-06-18") {
  const res = await api("POST", path, { token, headers: MCP_HEADERS, body: initializeBody(clientName, protocolVersion) });
  return { res, session: res.headers.get("Mcp-Session-Id") };
}

describe("/mcp/{deploymentId} transport rules", () => {
  it("initialize negotiates the version and returns a signed session id", async () => {
    const { u, path, d } = await setup();
    const { res, session } = await initialize(path, u.token, "cursor-vscode", "2025-03-26");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-03-26", serverInfo: { name: "hydra-edge" } } });
    expect(session).toMatch(new RegExp(`^mcp1\\.cursor\\.${d.deploymentId}\\.[0-9a-z]+\\.[A-Za-z0-9_-]+$`));
    const future = await initialize(path, u.token, "claude-code", "2026-07-28");
    expect(future.res.body.result.protocolVersion).toBe("2025-11-25");
  });

  it("answers notifications and responses with 202 and no body", async () => {
    const { u, path } = await setup();
    const res = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, "MCP-Protocol-Version": "2025-06-18" }, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
    expect(res.status).toBe(202);
    expect(res.body).toBeNull();
  });

  it("rejects an unsupported MCP-Protocol-Version with 400 -32022 listing the supported ones", async () => {
    const { u, path } = await setup();
    for (const version of ["2099-01-01", "1999-01-01"]) {
      const res = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, "MCP-Protocol-Version": version }, body: { jsonrpc: "2.0", id: 2, method: "tools/list" } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        jsonrpc: "2.0",
        id: 2,
        error: { code: -32022, message: "Unsupported protocol version", data: { supported: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"], requested: version } },
      });
    }
  });

  it("a bad or foreign session id gets 404 so the client re-initializes", async () => {
    const a = await setup();
    const b = await setup();
    const { session } = await initialize(a.path, a.u.token);
    const tampered = session!.replace(".claude.", ".codex.");
    const foreign = (await initialize(b.path, b.u.token)).session!;
    for (const sessionId of [tampered, "garbage", foreign]) {
      const res = await api("POST", a.path, { token: a.u.token, headers: { ...MCP_HEADERS, "Mcp-Session-Id": sessionId }, body: { jsonrpc: "2.0", id: 3, method: "tools/list" } });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(/initialize/);
    }
    const good = await api("POST", a.path, { token: a.u.token, headers: { ...MCP_HEADERS, "Mcp-Session-Id": session! }, body: { jsonrpc: "2.0", id: 4, method: "tools/list" } });
    expect(good.status).toBe(200);
    expect(good.body.result.tools).toHaveLength(9); // the owner also gets the five run tools
  });

  it("a foreign browser Origin gets 403; the public origin, localhost origins (not in production) and no Origin are fine", async () => {
    const { u, path } = await setup();
    const foreign = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, Origin: "https://evil.example" }, body: initializeBody() });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message: expect.stringContaining("evil.example"), data: { code: "FORBIDDEN", origin: "https://evil.example" } } });
    for (const origin of ["https://hydra.test", "http://localhost:6274", "http://127.0.0.1:8787", "http://[::1]:3000"]) {
      const ok = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, Origin: origin }, body: initializeBody() });
      expect(ok.status, origin).toBe(200);
    }
    const noOrigin = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(noOrigin.status).toBe(200);
  });

  it("GET and DELETE get 405 with Allow: POST", async () => {
    const { u, path } = await setup();
    for (const method of ["GET", "DELETE"]) {
      const res = await api(method, path, { token: u.token, headers: { Accept: "text/event-stream" } });
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
      expect(res.body.error.code).toBe("METHOD_NOT_ALLOWED");
    }
  });

  it("serves /mcp/x and /mcp/x/ alike, without redirects", async () => {
    const { u, path } = await setup();
    const res = await api("POST", `${path}/`, { token: u.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(res.status).toBe(200);
    expect(res.body.result.serverInfo.name).toBe("hydra-edge");
  });

  it("auth mode 'header': 401 carries a JSON body and a plain Bearer challenge; the deployment advertises no OAuth", async () => {
    const { path, d } = await setup({ authMode: "header" });
    const res = await api("POST", path, { headers: MCP_HEADERS, body: initializeBody() });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(res.body.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("Authorization: Bearer") });
    const bad = await api("POST", path, { token: "not-a-jwt", headers: MCP_HEADERS, body: initializeBody() });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("WWW-Authenticate")).toBe("Bearer");
    for (const wk of [
      "/.well-known/oauth-protected-resource",
      `/.well-known/oauth-protected-resource/mcp/${d.deploymentId}`,
      "/.well-known/openid-configuration",
    ]) {
      const r = await api("GET", wk);
      expect(r.status, wk).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
  });

  it("JSON-RPC errors: parse error, batch, unknown method, bad params", async () => {
    const { u, path } = await setup();
    const parse = await api("POST", path, { token: u.token, headers: MCP_HEADERS, rawBody: "{nope" });
    expect(parse.status).toBe(400);
    expect(parse.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.any(String) } });
    const batch = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: [initializeBody()] });
    expect(batch.status).toBe(400);
    expect(batch.body.error.code).toBe(-32600);
    const unknown = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: { jsonrpc: "2.0", id: "x", method: "sampling/createMessage" } });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ jsonrpc: "2.0", id: "x", error: { code: -32601, message: "Method not found: sampling/createMessage" } });
    const noVersion = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: { jsonrpc: "2.0", id: 5, method: "initialize", params: {} } });
    expect(noVersion.body.error.code).toBe(-32602);
    const resource = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: { jsonrpc: "2.0", id: 6, method: "resources/read", params: { uri: "hydra://nope" } } });
    expect(resource.body.error.code).toBe(-32002);
    const text = await api("POST", path, { token: u.token, headers: { "Content-Type": "text/plain" }, rawBody: "{}" });
    expect(text.status).toBe(415);
  });

  it("takes JSON-RPC batches from 2025-03-26 clients (their spec says MUST) and refuses them from later ones", async () => {
    const { u, path } = await setup();
    const { session } = await initialize(path, u.token, "cursor-vscode", "2025-03-26");
    const headers = { ...MCP_HEADERS, "Mcp-Session-Id": session! };
    const batch = [
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: "a", method: "ping" },
      { jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: "bug_fix_workflow" } },
      { jsonrpc: "2.0", id: 3, method: "no/such" },
      { jsonrpc: "1.0", id: 4, method: "ping" },
    ];
    // No MCP-Protocol-Version header means 2025-03-26; an explicit 2025-03-26 is the same.
    for (const extra of [{}, { "MCP-Protocol-Version": "2025-03-26" }] as Record<string, string>[]) {
      const res = await api("POST", path, { token: u.token, headers: { ...headers, ...extra }, body: batch });
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(res.body).toEqual([
        { jsonrpc: "2.0", id: "a", result: {} },
        { jsonrpc: "2.0", id: 2, result: { description: expect.stringContaining("for cursor"), messages: [expect.objectContaining({ role: "user" })] } },
        { jsonrpc: "2.0", id: 3, error: { code: -32601, message: "Method not found: no/such" } },
        { jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.any(String) } },
      ]);
      expect(res.body[1].result.messages[0].content.text).toContain("- [ ] **Understand the bug**");
    }

    const onlyNotifications = await api("POST", path, { token: u.token, headers, body: [{ jsonrpc: "2.0", method: "notifications/initialized" }] });
    expect(onlyNotifications.status).toBe(202);
    expect(onlyNotifications.body).toBeNull();

    for (const [body, message] of [
      [[], /Empty/],
      [[initializeBody("cursor-vscode", "2025-03-26")], /initialize must not be part of a JSON-RPC batch/],
      [Array.from({ length: 51 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })), /at most 50/],
    ] as const) {
      const res = await api("POST", path, { token: u.token, headers, body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringMatching(message) } });
    }
    for (const version of ["2025-06-18", "2025-11-25"]) {
      const res = await api("POST", path, { token: u.token, headers: { ...headers, "MCP-Protocol-Version": version }, body: [{ jsonrpc: "2.0", id: 1, method: "ping" }] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining("removed in MCP 2025-06-18") } });
    }
  });

  it("without a session id, ?adapter= picks the rendering (stateless clients)", async () => {
    const { u, path } = await setup();
    const res = await api("POST", `${path}?adapter=codex`, { token: u.token, headers: MCP_HEADERS, body: { jsonrpc: "2.0", id: 7, method: "prompts/get", params: { name: "bug_fix_workflow" } } });
    expect(res.body.result.messages[0].content.text).toContain("Function definitions (JSON)");
    const bad = await api("POST", `${path}?adapter=vim`, { token: u.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("adapter");
  });

  it("hot requests are served from the KV record alone (no D1 read)", async () => {
    const { u, path, d } = await setup({ allowAnonymous: true });
    const { session } = await initialize(path, u.token);
    // Remove the D1 rows behind the deployment: a request that read D1 would now fail.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM deployment_prompts WHERE deployment_id = ?").bind(d.deploymentId),
      env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(d.deploymentId),
    ]);
    const res = await api("POST", path, { headers: { ...MCP_HEADERS, "Mcp-Session-Id": session! }, body: { jsonrpc: "2.0", id: 8, method: "prompts/list" } });
    expect(res.status).toBe(200);
    expect(res.body.result.prompts.map((p: any) => p.name)).toEqual(["bug_fix_workflow"]);
  });

  it("an unknown deployment id is 404, with or without credentials", async () => {
    const u = await newUser();
    for (const id of ["dep_doesnotexist", "not-an-id"]) {
      for (const token of [u.token, undefined]) {
        const res = await api("POST", `/mcp/${id}`, { token, headers: MCP_HEADERS, body: initializeBody() });
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe("NOT_FOUND");
      }
    }
  });

  it("remembers a missing deployment for a minute, so repeated probes skip D1", async () => {
    const id = `dep_probe${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
    expect((await api("POST", `/mcp/${id}`, { headers: MCP_HEADERS, body: initializeBody() })).status).toBe(404);
    expect(await env.KV.get(missingDeploymentKvKey(id))).toBe("1");
    // A row appearing behind the tombstone's back (real ids are random, so this cannot happen)
    // shows the second request never asked D1.
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO deployments (id, owner_id, name, enabled_adapters, status, allow_anonymous, created_at, updated_at)
       VALUES (?, 'someone', 'probe', '["claude"]', 'active', 1, ?, ?)`,
    )
      .bind(id, now, now)
      .run();
    // The row allows anonymous use: had D1 been asked, this would be served (200).
    const again = await api("POST", `/mcp/${id}`, { headers: MCP_HEADERS, body: initializeBody() });
    expect(again.status).toBe(404);
  });
});

describe("/mcp/{deploymentId} params and input errors", () => {
  const rpc = (id: number, method: string, params: Record<string, unknown>) => ({ jsonrpc: "2.0", id, method, params });

  it("a notification with a bad session id gets 404 too, so the client re-initializes", async () => {
    const { u, path } = await setup();
    const { session } = await initialize(path, u.token);
    const notification = { jsonrpc: "2.0", method: "notifications/initialized" };
    const bad = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, "Mcp-Session-Id": `${session}x` }, body: notification });
    expect(bad.status).toBe(404);
    expect(bad.body.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("initialize") });
    const good = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, "Mcp-Session-Id": session! }, body: notification });
    expect(good.status).toBe(202);
    expect(good.body).toBeNull();
  });

  it("tool input errors are results with isError; unknown or unnamed tools are -32602", async () => {
    const { u, path } = await setup();
    const call = async (params: Record<string, unknown>) =>
      (await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: rpc(1, "tools/call", params) })).body;
    for (const args of [[1], "text"]) {
      expect((await call({ name: "workflow_bug_fix_workflow", arguments: args })).result).toEqual({
        content: [{ type: "text", text: "arguments must be an object" }],
        isError: true,
      });
    }
    expect((await call({ name: "workflow_bug_fix_workflow", arguments: { task: 5 } })).result).toEqual({
      content: [{ type: "text", text: "task must be a string" }],
      isError: true,
    });
    expect((await call({ name: "render_workflow", arguments: { workflowId: "bug_fix_workflow", adapter: 7 } })).result.isError).toBe(true);
    expect((await call({ name: "get_workflow", arguments: {} })).result.isError).toBe(true);
    // An unknown tool is a protocol error (2025-11-25 tools spec), even with bad arguments.
    expect((await call({ name: "nope", arguments: [1] })).error).toEqual({ code: -32602, message: "Unknown tool 'nope'" });
    expect((await call({})).error).toEqual({ code: -32602, message: "tools/call needs params.name" });
  });

  it("prompts/get: name required, string arguments, task optional; resources/read needs a uri", async () => {
    const { u, path } = await setup();
    const send = async (method: string, params: Record<string, unknown>) =>
      (await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: rpc(2, method, params) })).body;
    const noArgs = await send("prompts/get", { name: "bug_fix_workflow" });
    expect(noArgs.result.messages[0].content.text).toMatch(/Task: none given\. Before you start, ask the user what to apply this workflow to\.$/);
    expect((await send("prompts/get", {})).error).toMatchObject({ code: -32602, message: "prompts/get needs params.name", data: { available: ["bug_fix_workflow"] } });
    expect((await send("prompts/get", { name: "bug_fix_workflow", arguments: { task: 5 } })).error).toMatchObject({ code: -32602, data: { argument: "task" } });
    expect((await send("prompts/get", { name: "bug_fix_workflow", arguments: ["x"] })).error.code).toBe(-32602);
    expect((await send("resources/read", {})).error).toEqual({ code: -32602, message: "resources/read needs params.uri" });
  });
});
