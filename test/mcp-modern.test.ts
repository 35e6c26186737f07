import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/client/validators/cf-worker";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { createDeployment, createWorkflow } from "./helpers/deployments";
import { api } from "./helpers/http";

/** The official SDK v2 client in modern mode (2026-07-28 pinned: no fallback), in-process. */
async function connectModern(endpoint: string, clientName: string, token?: string, seen: Request[] = [], mode: "auto" | { pin: string } = { pin: "2026-07-28" }) {
  const client = new Client({ name: clientName, version: "test" }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator(), versionNegotiation: { mode } });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
    fetch: (url, init) => {
      const req = new Request(url, init);
      seen.push(req.clone());
      return exports.default.fetch(req);
    },
  });
  await client.connect(transport);
  return client;
}

describe("SDK v2 client, 2026-07-28", () => {
  it("discovers, lists and gets prompts and calls tools without initialize or a session", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const seen: Request[] = [];
    const client = await connectModern(d.mcpEndpoint, "codex-mcp-client", u.token, seen);

    expect(client.getServerVersion()).toMatchObject({ name: "hydra-edge" });
    expect(client.getInstructions()).toContain("adapter: codex");
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["bug_fix_workflow"]);
    const prompt = await client.getPrompt({ name: "bug_fix_workflow", arguments: { task: "login" } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain('"name": "understand_bug"');
    expect(text).toContain("Task: login\n(The client may pass only the first word");
    const { tools } = await client.listTools();
    // The owner's credential adds the run tools, in this revision as in the initialize era.
    expect(tools.map((t) => t.name)).toEqual([
      "list_workflows", "get_workflow", "render_workflow", "workflow_bug_fix_workflow",
      "start_run", "next_action", "report_action", "run_status", "cancel_run",
    ]);
    const called = await client.callTool({ name: "workflow_bug_fix_workflow", arguments: { task: "login returns 500 on Safari" } });
    expect((called.content as any)[0].text).toContain("Task: login returns 500 on Safari");
    const missing = await client.callTool({ name: "get_workflow", arguments: {} });
    expect(missing.isError).toBe(true);
    expect((missing.content as any)[0].text).toMatch(/Missing required argument 'workflowId'/);
    const { resources } = await client.listResources();
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(JSON.parse((read.contents[0] as any).text).steps).toHaveLength(6);
    await client.close();

    // The wire: modern headers on every POST, no initialize, no session id either way.
    expect(seen.length).toBeGreaterThan(0);
    for (const req of seen.filter((r) => r.method === "POST")) {
      expect(req.headers.get("MCP-Protocol-Version")).toBe("2026-07-28");
      const body = (await req.json()) as { method: string };
      expect(req.headers.get("Mcp-Method")).toBe(body.method);
      expect(body.method).not.toBe("initialize");
      expect(req.headers.get("Mcp-Session-Id")).toBeNull();
    }

    // One connection: the first request of this client identity on the deployment this hour.
    const usage = await api("GET", `/v1/deployments/${d.deploymentId}/usage`, { token: u.token });
    expect(usage.body.data.connections.total).toBe(1);
    expect(usage.body.data.byAdapter.codex).toBe(1);
    const again = await connectModern(d.mcpEndpoint, "codex-mcp-client", u.token);
    await again.listTools();
    await again.close();
    const cursor = await connectModern(d.mcpEndpoint, "cursor-vscode", u.token);
    await cursor.listTools();
    await cursor.close();
    const after = await api("GET", `/v1/deployments/${d.deploymentId}/usage`, { token: u.token });
    expect(after.body.data.connections.total).toBe(2);
    expect(after.body.data.byAdapter).toEqual({ claude: 0, cursor: 1, codex: 1 });
  });

  it("in auto mode (probe, then fall back if legacy) the client stays on 2026-07-28", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const seen: Request[] = [];
    const client = await connectModern(d.mcpEndpoint, "claude-code", u.token, seen, "auto");
    expect((await client.listPrompts()).prompts).toHaveLength(1);
    await client.close();
    const methods = await Promise.all(seen.filter((r) => r.method === "POST").map(async (r) => ((await r.json()) as { method: string }).method));
    expect(methods[0]).toBe("server/discover");
    expect(methods).not.toContain("initialize");
  });

  it("a disabled adapter's client is served an enabled one and told how to pick another", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], enabledAdapters: ["cursor"] });
    const client = await connectModern(d.mcpEndpoint, "claude-code", u.token);
    expect(client.getInstructions()).toMatch(/claude adapter, which is disabled on this deployment, so it gets the cursor rendering instead\. To choose, add \?adapter=cursor/);
    const prompt = await client.getPrompt({ name: "bug_fix_workflow" });
    expect((prompt.messages[0]!.content as any).text).toContain("## Checklist");
    await client.close();
  });
});

describe("2026-07-28 on the wire", () => {
  const meta = (clientName = "claude-code", version = "2026-07-28") => ({
    "io.modelcontextprotocol/protocolVersion": version,
    "io.modelcontextprotocol/clientInfo": { name: clientName, version: "1.0" },
    "io.modelcontextprotocol/clientCapabilities": {},
  });
  const headers = (method: string, name?: string) => ({
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": method,
    ...(name === undefined ? {} : { "Mcp-Name": name }),
  });
  async function setup(extra: Record<string, unknown> = {}) {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], ...extra });
    return { u, path: `/mcp/${d.deploymentId}`, d };
  }
  const call = (path: string, token: string | undefined, method: string, params: Record<string, unknown>, hdrs = headers(method)) =>
    api("POST", path, { token, headers: hdrs, body: { jsonrpc: "2.0", id: 7, method, params } });

  it("server/discover names every version, the capabilities and the caching hints", async () => {
    const { u, path } = await setup();
    const res = await call(path, u.token, "server/discover", { _meta: meta("cursor-vscode") });
    expect(res.status).toBe(200);
    expect(res.headers.get("Mcp-Session-Id")).toBeNull();
    expect(res.body).toEqual({
      jsonrpc: "2.0",
      id: 7,
      result: {
        resultType: "complete",
        supportedVersions: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"],
        capabilities: { prompts: { listChanged: false }, tools: { listChanged: false }, resources: { subscribe: false, listChanged: false } },
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "hydra-edge", title: "Hydra workflows", version: "1.0.0" } },
        instructions: expect.stringContaining("adapter: cursor"),
        ttlMs: 60000,
        cacheScope: "private",
      },
    });
  });

  it("list results carry ttlMs and cacheScope (public only for anonymous deployments); every result has resultType", async () => {
    const { u, path } = await setup();
    for (const method of ["tools/list", "prompts/list", "resources/list", "resources/templates/list"]) {
      const res = await call(path, u.token, method, { _meta: meta() });
      expect(res.body.result, method).toMatchObject({ resultType: "complete", ttlMs: 60000, cacheScope: "private" });
    }
    const got = await call(path, u.token, "prompts/get", { name: "bug_fix_workflow", _meta: meta() }, headers("prompts/get", "bug_fix_workflow"));
    expect(got.body.result.resultType).toBe("complete");
    expect(got.body.result).not.toHaveProperty("ttlMs");
    const open = await setup({ allowAnonymous: true });
    const anon = await call(open.path, undefined, "tools/list", { _meta: meta() });
    expect(anon.body.result).toMatchObject({ cacheScope: "public", ttlMs: 60000 });
    expect(anon.body.result.tools.map((t: { name: string }) => t.name)).not.toContain("start_run");
    // The owner's list on the same anonymous deployment has the run tools, so it is never public.
    const owners = await call(open.path, open.u.token, "tools/list", { _meta: meta() });
    expect(owners.body.result).toMatchObject({ cacheScope: "private", ttlMs: 60000 });
    expect(owners.body.result.tools.map((t: { name: string }) => t.name)).toContain("start_run");
  });

  it("unknown methods (ping and initialize included) are 404 + -32601", async () => {
    const { u, path } = await setup();
    for (const method of ["ping", "initialize", "sampling/createMessage"]) {
      const res = await call(path, u.token, method, { _meta: meta() });
      expect(res.status, method).toBe(404);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32601, message: `Method not found: ${method}` } });
    }
  });

  it("header/body mismatches and missing headers are 400 -32020", async () => {
    const { u, path } = await setup();
    const cases: [Record<string, string>, Record<string, unknown>, string][] = [
      [headers("tools/call", "list_workflows"), { name: "get_workflow", _meta: meta() }, "Mcp-Name"],
      [headers("tools/list"), { _meta: meta(undefined, "2025-11-25") }, "MCP-Protocol-Version"],
      [headers("tools/list"), {}, "MCP-Protocol-Version"],
      [{ ...headers("tools/list"), "Mcp-Method": "prompts/list" }, { _meta: meta() }, "Mcp-Method"],
      [headers("prompts/get"), { name: "bug_fix_workflow", _meta: meta() }, "Mcp-Name header is required"],
    ];
    for (const [hdrs, params, mentions] of cases) {
      const method = hdrs["Mcp-Method"] === "prompts/list" ? "tools/list" : hdrs["Mcp-Method"]!;
      const res = await api("POST", path, { token: u.token, headers: hdrs, body: { jsonrpc: "2.0", id: 3, method, params } });
      expect(res.status, mentions).toBe(400);
      expect(res.body).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32020, message: expect.stringContaining(mentions) } });
    }
    const { "Mcp-Method": _, ...noMethod } = headers("tools/list");
    const res = await api("POST", path, { token: u.token, headers: noMethod, body: { jsonrpc: "2.0", id: 4, method: "tools/list", params: { _meta: meta() } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: -32020, message: expect.stringContaining("Mcp-Method header is required") });
    // A modern body without the version header is a mismatch too, not a legacy request.
    const noHeader = await api("POST", path, {
      token: u.token,
      headers: { "Content-Type": "application/json", "Mcp-Method": "tools/list" },
      body: { jsonrpc: "2.0", id: 5, method: "tools/list", params: { _meta: meta() } },
    });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error.code).toBe(-32020);
  });

  it("Mcp-Name may be =?base64?…?= encoded; resources/read names the uri; unknown resources are -32602", async () => {
    const { u, path } = await setup();
    const encoded = `=?base64?${btoa("bug_fix_workflow")}?=`;
    const ok = await call(path, u.token, "prompts/get", { name: "bug_fix_workflow", _meta: meta() }, headers("prompts/get", encoded));
    expect(ok.status).toBe(200);
    const list = await call(path, u.token, "resources/list", { _meta: meta() });
    const uri = list.body.result.resources[0].uri;
    const read = await call(path, u.token, "resources/read", { uri, _meta: meta() }, headers("resources/read", uri));
    expect(read.body.result).toMatchObject({ resultType: "complete", ttlMs: 60000, contents: [expect.objectContaining({ uri })] });
    const gone = await call(path, u.token, "resources/read", { uri: "hydra://nope", _meta: meta() }, headers("resources/read", "hydra://nope"));
    expect(gone.body.error).toMatchObject({ code: -32602, message: expect.stringContaining("hydra://nope") });
  });

  it("the adapter comes from each request's clientInfo (or ?adapter=), and hot requests read KV only", async () => {
    const { path, d } = await setup({ allowAnonymous: true });
    const render = async (clientName: string, query = "") =>
      (await call(`${path}${query}`, undefined, "prompts/get", { name: "bug_fix_workflow", _meta: meta(clientName) }, headers("prompts/get", "bug_fix_workflow"))).body.result
        .messages[0].content.text as string;
    expect(await render("cursor-vscode")).toContain("## Checklist");
    expect(await render("claude-code")).toContain("You are the orchestrator");
    expect(await render("claude-code", "?adapter=codex")).toContain("Function definitions (JSON)");
    // Without the D1 rows, a request that read D1 would fail: prompts/get is served from KV alone.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM deployment_prompts WHERE deployment_id = ?").bind(d.deploymentId),
      env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(d.deploymentId),
    ]);
    expect(await render("cursor-vscode")).toContain("## Checklist");
  });

  it("over the monthly plan limit, a new client identity is refused (402)", async () => {
    const { u, path, d } = await setup();
    await env.DB.prepare("INSERT INTO deployment_usage_daily (deployment_id, day, adapter, count) VALUES (?, ?, 'claude', 500)")
      .bind(d.deploymentId, new Date().toISOString().slice(0, 10))
      .run();
    const res = await call(path, u.token, "tools/list", { _meta: meta() });
    expect(res.status).toBe(402);
    expect(res.body.error.message).toMatch(/500 connections for this month/);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM mcp_client_hours WHERE deployment_id = ?").bind(d.deploymentId).first("n")).toBe(0);
  });
});
