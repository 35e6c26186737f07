import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { addLibraryEntry, connectClient, createDeployment, createWorkflow, expectHttpError } from "./helpers/deployments";
import { api } from "./helpers/http";

/** The official MCP SDK client against the Worker, once per IDE adapter. */
describe.each([
  { clientName: "claude-code", adapter: "claude", marker: 'You are the orchestrator for the workflow "Bug Fix Workflow"' },
  { clientName: "cursor-vscode", adapter: "cursor", marker: "- [ ] **Understand the bug**" },
  { clientName: "codex-mcp-client", adapter: "codex", marker: '"name": "understand_bug"' },
])("SDK client as $clientName", ({ clientName, adapter, marker }) => {
  it("connects, lists and gets prompts, and calls every tool", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const { client, transport } = await connectClient(d.mcpEndpoint, clientName, { token: u.token });

    expect(client.getServerVersion()).toMatchObject({ name: "hydra-edge" });
    expect(client.getServerCapabilities()).toMatchObject({ prompts: {}, tools: {}, resources: {} });
    expect(client.getInstructions()).toContain(`adapter: ${adapter}`);
    expect(transport.sessionId).toMatch(new RegExp(`^mcp1\\.${adapter}\\.${d.deploymentId}\\.`));

    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      expect.objectContaining({ name: "bug_fix_workflow", title: "Bug Fix Workflow", arguments: [expect.objectContaining({ name: "task", required: false })] }),
    ]);
    const prompt = await client.getPrompt({ name: "bug_fix_workflow", arguments: { task: "login fails on Safari" } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain(marker);
    expect(text).toContain("Task: login fails on Safari");

    const { tools } = await client.listTools();
    // The owner's connection also gets the tools that drive runs.
    expect(tools.map((t) => t.name)).toEqual([
      "list_workflows",
      "get_workflow",
      "render_workflow",
      "workflow_bug_fix_workflow",
      "start_run",
      "next_action",
      "report_action",
      "run_status",
      "cancel_run",
    ]);

    const list = await client.callTool({ name: "list_workflows", arguments: {} });
    expect(JSON.parse((list.content as any)[0].text)).toEqual([
      expect.objectContaining({ name: "bug_fix_workflow", workflowId: wf.workflowId, version: "1.0.0", isOwned: true, steps: 6 }),
    ]);
    const manifest = await client.callTool({ name: "get_workflow", arguments: { workflowId: wf.workflowId } });
    expect(JSON.parse((manifest.content as any)[0].text)).toMatchObject({ manifest_version: "1.0", name: "Bug Fix Workflow" });
    const rendered = await client.callTool({ name: "render_workflow", arguments: { workflowId: "bug_fix_workflow", adapter: "cursor" } });
    expect((rendered.content as any)[0].text).toContain("## Checklist");
    const own = await client.callTool({ name: "workflow_bug_fix_workflow", arguments: { task: "fix it" } });
    expect((own.content as any)[0].text).toContain(marker);
    const missing = await client.callTool({ name: "get_workflow", arguments: { workflowId: "nope" } });
    expect(missing.isError).toBe(true);
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(/Unknown tool/);

    const { resources } = await client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: `hydra://workflows/${wf.workflowId}/1.0.0`, mimeType: "application/json" })]);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(JSON.parse((read.contents[0] as any).text).steps).toHaveLength(6);
    await expect(client.getPrompt({ name: "nope" })).rejects.toThrow(/Unknown prompt/);
    await client.ping();
    await client.close();

    const usage = await api("GET", `/v1/deployments/${d.deploymentId}/usage`, { token: u.token });
    expect(usage.body.data.connections.total).toBe(1);
    expect(usage.body.data.byAdapter[adapter]).toBe(1);
    const got = await api("GET", `/v1/deployments/${d.deploymentId}`, { token: u.token });
    expect(got.body.data.usage.connectionsThisMonth).toBe(1);
    expect(got.body.data.usage.lastConnectedAt).toEqual(expect.any(String));
  });
});

describe("MCP access rules through the SDK client", () => {
  it("a client of a disabled adapter is served an enabled one, told so in the instructions; ?adapter= overrides the client name", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], enabledAdapters: ["claude", "cursor"] });
    const codex = await connectClient(d.mcpEndpoint, "codex-mcp-client", { token: u.token });
    expect(codex.transport.sessionId).toMatch(/^mcp1\.claude\./);
    expect(codex.client.getInstructions()).toMatch(/codex adapter, which is disabled on this deployment, so it gets the claude rendering/);
    expect(codex.client.getInstructions()).toContain("?adapter=claude or ?adapter=cursor");
    expect((await codex.client.listTools()).tools.map((t) => t.name)).toContain("workflow_bug_fix_workflow");
    await codex.client.close();
    const { client, transport } = await connectClient(`${d.mcpEndpoint}?adapter=cursor`, "codex-mcp-client", { token: u.token });
    expect(transport.sessionId).toMatch(/^mcp1\.cursor\./);
    const prompt = await client.getPrompt({ name: "bug_fix_workflow" });
    expect((prompt.messages[0]!.content as any).text).toContain("## Checklist");
    await client.close();
  });

  it("unknown client names get the claude adapter; an API key works too", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const key = await api("POST", "/v1/api-keys", { token: u.token, body: { name: "mcp" } });
    expect(key.status).toBe(201);
    const { client, transport } = await connectClient(d.mcpEndpoint, "test-client", { token: key.body.data.key });
    expect(transport.sessionId).toMatch(/^mcp1\.claude\./);
    await client.close();
  });

  it("unknown client names fall back to the first enabled adapter when claude is disabled", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], enabledAdapters: ["codex"] });
    const { client, transport } = await connectClient(d.mcpEndpoint, "test-client", { token: u.token });
    expect(transport.sessionId).toMatch(/^mcp1\.codex\./);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("workflow_bug_fix_workflow");
    await client.close();
  });

  it("anonymous access: allowed when enabled, 401 otherwise, 404 for another user (as for a missing deployment)", async () => {
    const u = await newUser();
    const other = await newUser();
    const wf = await createWorkflow(u.token);
    const closed = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const open = await createDeployment(u.token, { workflowIds: [wf.workflowId], allowAnonymous: true });

    const { client } = await connectClient(open.mcpEndpoint, "claude-code");
    expect((await client.listPrompts()).prompts).toHaveLength(1);
    await client.close();
    await expectHttpError(connectClient(closed.mcpEndpoint, "claude-code"), 401, /UNAUTHORIZED.*Authorization: Bearer/);
    await expectHttpError(connectClient(closed.mcpEndpoint, "claude-code", { token: other.token }), 404, /Deployment '.*' was not found/);
  });

  it("deactivate refuses connections (423), activate restores them, delete answers 404", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const { client } = await connectClient(d.mcpEndpoint, "claude-code", { token: u.token });

    await api("POST", `/v1/deployments/${d.deploymentId}/deactivate`, { token: u.token });
    await expectHttpError(client.listPrompts(), 423, /LOCKED.*inactive/);
    await expectHttpError(connectClient(d.mcpEndpoint, "claude-code", { token: u.token }), 423, /inactive/);
    await api("POST", `/v1/deployments/${d.deploymentId}/activate`, { token: u.token });
    expect((await client.listPrompts()).prompts).toHaveLength(1);

    await api("DELETE", `/v1/deployments/${d.deploymentId}`, { token: u.token });
    await expectHttpError(client.listPrompts(), 404, /NOT_FOUND/);
    await expectHttpError(connectClient(d.mcpEndpoint, "claude-code", { token: u.token }), 404, /Deployment/);
  });

  it("rebuilds a missing KV record from D1", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    await env.KV.delete(`dep:${d.deploymentId}`);
    const { client } = await connectClient(d.mcpEndpoint, "cursor", { token: u.token });
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["bug_fix_workflow"]);
    await client.close();
    expect(await env.KV.get<any>(`dep:${d.deploymentId}`, "json")).toMatchObject({ deploymentId: d.deploymentId, enabledAdapters: ["claude", "cursor", "codex"] });
  });

  it("serves a new workflow version after an update: own and auto-updating entries move, pinned ones stay", async () => {
    const author = await newUser();
    const follower = await newUser();
    const pinned = await newUser();
    const wf = await createWorkflow(author.token, { visibility: "public" });
    await addLibraryEntry(follower.sub, wf.workflowId, "1.0.0", true);
    await addLibraryEntry(pinned.sub, wf.workflowId, "1.0.0", false);
    const own = await createDeployment(author.token, { workflowIds: [wf.workflowId] });
    const follows = await createDeployment(follower.token, { workflowIds: [wf.workflowId] });
    const stays = await createDeployment(pinned.token, { workflowIds: [wf.workflowId] });

    const manifest = { manifest_version: "1.0", name: "Bug Fix Workflow", intent: "Version two", steps: [{ id: "only_step", name: "Only step", action: "code_agent" }] };
    const upd = await api("PUT", `/v1/workflows/${wf.workflowId}`, { token: author.token, body: { manifest } });
    expect(upd.status).toBe(200);
    expect(upd.body.data.currentVersion).toBe("1.0.1");

    const versionSeenBy = async (endpoint: string, token: string) => {
      const { client } = await connectClient(endpoint, "claude-code", { token });
      const list = JSON.parse(((await client.callTool({ name: "list_workflows", arguments: {} })).content as any)[0].text);
      const text = ((await client.getPrompt({ name: "bug_fix_workflow" })).messages[0]!.content as any).text as string;
      await client.close();
      return { version: list[0].version, text };
    };
    const a = await versionSeenBy(own.mcpEndpoint, author.token);
    expect(a.version).toBe("1.0.1");
    expect(a.text).toContain("Intent: Version two");
    expect((await versionSeenBy(follows.mcpEndpoint, follower.token)).version).toBe("1.0.1");
    const p = await versionSeenBy(stays.mcpEndpoint, pinned.token);
    expect(p.version).toBe("1.0.0");
    expect(p.text).toContain("[understand_bug]");

    const rest = await api("GET", `/v1/deployments/${stays.deploymentId}`, { token: pinned.token });
    expect(rest.body.data.workflows).toEqual([{ workflowId: wf.workflowId, name: "Bug Fix Workflow", version: "1.0.0", isOwned: false }]);

    // Deleting the workflow removes it from every deployment serving it.
    expect((await api("DELETE", `/v1/workflows/${wf.workflowId}`, { token: author.token })).status).toBe(200);
    const record = await env.KV.get<any>(`dep:${follows.deploymentId}`, "json");
    expect(record.workflows).toEqual([]);
  });

  it("refuses new connections over the monthly plan limit", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    await env.DB.prepare("INSERT INTO deployment_usage_daily (deployment_id, day, adapter, count) VALUES (?, ?, 'claude', 500)")
      .bind(d.deploymentId, new Date().toISOString().slice(0, 10))
      .run();
    await expectHttpError(connectClient(d.mcpEndpoint, "claude-code", { token: u.token }), 402, /500 connections for this month/);
    const usage = await api("GET", `/v1/deployments/${d.deploymentId}/usage`, { token: u.token });
    expect(usage.body.data.connections).toEqual({ total: 500, limit: 500, remaining: 0 });
  });
});
