import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { addLibraryEntry, createDeployment, createWorkflow } from "./helpers/deployments";
import { api } from "./helpers/http";

describe("POST /v1/deployments", () => {
  it("creates a deployment with defaults, an absolute mcpEndpoint and the served workflows", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const res = await api("POST", "/v1/deployments", { token: u.token, body: { name: "Prod", workflowIds: [wf.workflowId] } });
    expect(res.status).toBe(201);
    const d = res.body.data;
    expect(d.deploymentId).toMatch(/^dep_/);
    expect(d).toMatchObject({
      name: "Prod",
      description: null,
      status: "active",
      enabledAdapters: ["claude", "cursor", "codex"],
      allowAnonymous: false,
      mcpEndpoint: `https://hydra.test/mcp/${d.deploymentId}`,
      workflows: [{ workflowId: wf.workflowId, name: "Bug Fix Workflow", version: "1.0.0", isOwned: true }],
      usage: { connectionsThisMonth: 0, lastConnectedAt: null },
    });
    expect(d.createdAt).toBe(d.updatedAt);

    const record = await env.KV.get(`dep:${d.deploymentId}`, "json");
    expect(record).toMatchObject({ deploymentId: d.deploymentId, ownerId: u.sub, status: "active", allowAnonymous: false });
    const prompts = await env.DB.prepare("SELECT adapter FROM deployment_prompts WHERE deployment_id = ? ORDER BY adapter").bind(d.deploymentId).all();
    expect(prompts.results.map((r) => r.adapter)).toEqual(["claude", "codex", "cursor"]);
  });

  it("validates name, workflowIds and adapters with field paths", async () => {
    const u = await newUser();
    const res = await api("POST", "/v1/deployments", { token: u.token, body: { name: "x".repeat(101), enabledAdapters: ["vim"] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "workflowIds", "enabledAdapters.0"]));
  });

  it("404s a missing or someone else's private workflow and 403s a visible one not in the library", async () => {
    const owner = await newUser();
    const other = await newUser();
    const priv = await createWorkflow(owner.token);
    const pub = await createWorkflow(owner.token, { visibility: "public" });

    const missing = await api("POST", "/v1/deployments", { token: other.token, body: { name: "d", workflowIds: ["wf_nope"] } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
    const privateRes = await api("POST", "/v1/deployments", { token: other.token, body: { name: "d", workflowIds: [priv.workflowId] } });
    expect(privateRes.status).toBe(404);
    const notInLibrary = await api("POST", "/v1/deployments", { token: other.token, body: { name: "d", workflowIds: [pub.workflowId] } });
    expect(notInLibrary.status).toBe(403);
    expect(notInLibrary.body.error).toMatchObject({ code: "FORBIDDEN", details: { workflowId: pub.workflowId } });

    await addLibraryEntry(other.sub, pub.workflowId, "1.0.0", true);
    const ok = await api("POST", "/v1/deployments", { token: other.token, body: { name: "d", workflowIds: [pub.workflowId] } });
    expect(ok.status).toBe(201);
    expect(ok.body.data.workflows).toEqual([{ workflowId: pub.workflowId, name: "Bug Fix Workflow", version: "1.0.0", isOwned: false }]);
  });

  it("refuses with 402 over the plan limit and creates nothing", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    for (let i = 0; i < 3; i++) await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const res = await api("POST", "/v1/deployments", { token: u.token, body: { name: "fourth", workflowIds: [wf.workflowId] } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: "PLAN_LIMIT_EXCEEDED", details: { resource: "deployments", limit: 3, current: 3 } });
    const list = await api("GET", "/v1/deployments", { token: u.token });
    expect(list.body.data).toHaveLength(3);
  });
});

describe("GET /v1/deployments", () => {
  it("lists newest first with status filter, limit and cursor", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const a = await createDeployment(u.token, { name: "a", workflowIds: [wf.workflowId] });
    const b = await createDeployment(u.token, { name: "b", workflowIds: [wf.workflowId] });
    const c = await createDeployment(u.token, { name: "c", workflowIds: [wf.workflowId] });
    await api("POST", `/v1/deployments/${b.deploymentId}/deactivate`, { token: u.token });

    const page1 = await api("GET", "/v1/deployments?limit=2", { token: u.token });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((d: any) => d.deploymentId)).toEqual([c.deploymentId, b.deploymentId]);
    expect(page1.body.pagination).toMatchObject({ hasMore: true, count: 2 });
    expect(page1.body.data[0].usage).toEqual({ connectionsThisMonth: 0, lastConnectedAt: null });
    const page2 = await api("GET", `/v1/deployments?limit=2&cursor=${page1.body.pagination.nextCursor}`, { token: u.token });
    expect(page2.body.data.map((d: any) => d.deploymentId)).toEqual([a.deploymentId]);
    expect(page2.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 1 });

    const inactive = await api("GET", "/v1/deployments?status=inactive", { token: u.token });
    expect(inactive.body.data.map((d: any) => d.deploymentId)).toEqual([b.deploymentId]);
    expect((await api("GET", "/v1/deployments?limit=101", { token: u.token })).status).toBe(400);
    expect((await api("GET", "/v1/deployments?status=paused", { token: u.token })).status).toBe(400);
  });

  it("never shows someone else's deployments", async () => {
    const u = await newUser();
    const other = await newUser();
    const wf = await createWorkflow(u.token);
    await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const res = await api("GET", "/v1/deployments", { token: other.token });
    expect(res.body.data).toEqual([]);
  });
});

describe("deployment by id", () => {
  it("404s someone else's deployment on every route", async () => {
    const u = await newUser();
    const other = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const id = d.deploymentId;
    const calls: [string, string, unknown?][] = [
      ["GET", `/v1/deployments/${id}`],
      ["PUT", `/v1/deployments/${id}`, { name: "x" }],
      ["DELETE", `/v1/deployments/${id}`],
      ["POST", `/v1/deployments/${id}/adapters`, { adapter: "codex", enabled: false }],
      ["POST", `/v1/deployments/${id}/activate`],
      ["POST", `/v1/deployments/${id}/deactivate`],
      ["GET", `/v1/deployments/${id}/usage`],
      ["GET", `/v1/deployments/${id}/prompts/claude`],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { token: other.token, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
    }
    expect((await api("GET", `/v1/deployments/${id}`, { token: u.token })).status).toBe(200);
  });

  it("PUT changes only the given fields and re-renders the KV record", async () => {
    const u = await newUser();
    const wf1 = await createWorkflow(u.token, { name: "First Flow" });
    const wf2 = await createWorkflow(u.token, { name: "Second Flow" });
    const d = await createDeployment(u.token, { name: "orig", description: "keep me", workflowIds: [wf1.workflowId] });
    const res = await api("PUT", `/v1/deployments/${d.deploymentId}`, {
      token: u.token,
      body: { workflowIds: [wf2.workflowId, wf1.workflowId], allowAnonymous: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      name: "orig",
      description: "keep me",
      allowAnonymous: true,
      enabledAdapters: ["claude", "cursor", "codex"],
      workflows: [
        { workflowId: wf2.workflowId, name: "Second Flow", version: "1.0.0", isOwned: true },
        { workflowId: wf1.workflowId, name: "First Flow", version: "1.0.0", isOwned: true },
      ],
    });
    const record = await env.KV.get<any>(`dep:${d.deploymentId}`, "json");
    expect(record.allowAnonymous).toBe(true);
    expect(record.workflows.map((w: any) => w.promptName)).toEqual(["second_flow", "first_flow"]);

    const cleared = await api("PUT", `/v1/deployments/${d.deploymentId}`, { token: u.token, body: { description: null, enabledAdapters: ["codex", "claude"] } });
    expect(cleared.body.data).toMatchObject({ name: "orig", description: null, enabledAdapters: ["claude", "codex"] });
    const empty = await api("PUT", `/v1/deployments/${d.deploymentId}`, { token: u.token, body: {} });
    expect(empty.status).toBe(400);
  });

  it("toggles adapters and refuses to disable the last one", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], enabledAdapters: ["claude", "cursor"] });
    const on = await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: u.token, body: { adapter: "codex", enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body.data).toEqual({ deploymentId: d.deploymentId, enabledAdapters: ["claude", "cursor", "codex"] });
    const off = await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: u.token, body: { adapter: "cursor", enabled: false } });
    expect(off.body.data.enabledAdapters).toEqual(["claude", "codex"]);
    expect((await env.KV.get<any>(`dep:${d.deploymentId}`, "json")).enabledAdapters).toEqual(["claude", "codex"]);
    const bad = await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: u.token, body: { adapter: "vim", enabled: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("adapter");
    await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: u.token, body: { adapter: "codex", enabled: false } });
    const last = await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: u.token, body: { adapter: "claude", enabled: false } });
    expect(last.status).toBe(400);
    expect(last.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("deactivates, activates and deletes (KV record follows)", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const off = await api("POST", `/v1/deployments/${d.deploymentId}/deactivate`, { token: u.token });
    expect(off.status).toBe(200);
    expect(off.body.data.status).toBe("inactive");
    expect((await env.KV.get<any>(`dep:${d.deploymentId}`, "json")).status).toBe("inactive");
    const on = await api("POST", `/v1/deployments/${d.deploymentId}/activate`, { token: u.token });
    expect(on.body.data.status).toBe("active");

    const del = await api("DELETE", `/v1/deployments/${d.deploymentId}`, { token: u.token });
    expect(del.status).toBe(200);
    expect(del.body.data).toEqual({ deploymentId: d.deploymentId, deleted: true });
    expect(await env.KV.get(`dep:${d.deploymentId}`)).toBeNull();
    expect((await api("GET", `/v1/deployments/${d.deploymentId}`, { token: u.token })).status).toBe(404);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM deployment_prompts WHERE deployment_id = ?").bind(d.deploymentId).first();
    expect(rows?.n).toBe(0);
  });

  it("returns rendered prompts per adapter; codex gets one function per step", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], enabledAdapters: ["claude", "codex"] });
    const claude = await api("GET", `/v1/deployments/${d.deploymentId}/prompts/claude`, { token: u.token });
    expect(claude.status).toBe(200);
    expect(claude.body.data).toMatchObject({ deploymentId: d.deploymentId, adapter: "claude", enabled: true });
    expect(claude.body.data.prompts[0]).toMatchObject({ name: "bug_fix_workflow", workflowId: wf.workflowId, version: "1.0.0" });
    expect(claude.body.data.prompts[0].text).toContain('You are the orchestrator for the workflow "Bug Fix Workflow"');
    expect(claude.body.data.functions).toBeUndefined();

    const codex = await api("GET", `/v1/deployments/${d.deploymentId}/prompts/codex`, { token: u.token });
    const names = codex.body.data.functions.map((f: any) => f.name);
    expect(names).toEqual(["understand_bug", "find_root_cause", "implement_fix", "write_tests", "run_tests", "review_and_commit"]);
    expect(codex.body.data.functions[4].parameters).toMatchObject({
      type: "object",
      properties: { command: { type: "string", default: "npm test" } },
    });

    const cursor = await api("GET", `/v1/deployments/${d.deploymentId}/prompts/cursor`, { token: u.token });
    expect(cursor.body.data.enabled).toBe(false);
    expect(cursor.body.data.prompts[0].text).toContain("- [ ] **Understand the bug**");
    expect((await api("GET", `/v1/deployments/${d.deploymentId}/prompts/vim`, { token: u.token })).status).toBe(400);
  });

  it("codex data.functions stays usable for function calling when two workflows share step ids", async () => {
    const u = await newUser();
    const wf1 = await createWorkflow(u.token, { name: "First Flow" });
    const wf2 = await createWorkflow(u.token, { name: "Second Flow" });
    const d = await createDeployment(u.token, { workflowIds: [wf1.workflowId, wf2.workflowId] });
    const res = await api("GET", `/v1/deployments/${d.deploymentId}/prompts/codex`, { token: u.token });
    expect(res.status).toBe(200);
    const names: string[] = res.body.data.functions.map((f: any) => f.name);
    expect(names).toHaveLength(12);
    expect(new Set(names).size).toBe(12);
    expect(names.slice(0, 2)).toEqual(["first_flow__understand_bug", "first_flow__find_root_cause"]);
    expect(names[6]).toBe("second_flow__understand_bug");
    expect(res.body.data.functions[6].description).toMatch(/^\[Second Flow\] /);
    // Each workflow's own list keeps the step ids its instructions refer to.
    expect(res.body.data.prompts[1].functions[0].name).toBe("understand_bug");
  });

  it("reports usage for day, week and month with the plan limit", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    const today = new Date().toISOString().slice(0, 10);
    await env.DB.prepare("INSERT INTO deployment_usage_daily (deployment_id, day, adapter, count) VALUES (?, ?, 'claude', 4), (?, ?, 'codex', 1)")
      .bind(d.deploymentId, today, d.deploymentId, today)
      .run();
    const res = await api("GET", `/v1/deployments/${d.deploymentId}/usage`, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      deploymentId: d.deploymentId,
      period: "month",
      connections: { total: 5, limit: 500, remaining: 495 },
      byAdapter: { claude: 4, cursor: 0, codex: 1 },
    });
    expect(res.body.data.byDay.at(-1)).toEqual({ date: today, count: 5 });
    const day = await api("GET", `/v1/deployments/${d.deploymentId}/usage?period=day`, { token: u.token });
    expect(day.body.data.byDay).toEqual([{ date: today, count: 5 }]);
    const week = await api("GET", `/v1/deployments/${d.deploymentId}/usage?period=week`, { token: u.token });
    expect(week.body.data.byDay).toHaveLength(7);
    expect((await api("GET", `/v1/deployments/${d.deploymentId}/usage?period=year`, { token: u.token })).status).toBe(400);
    const got = await api("GET", `/v1/deployments/${d.deploymentId}`, { token: u.token });
    expect(got.body.data.usage.connectionsThisMonth).toBe(5);
  });

  it("requires authentication", async () => {
    const res = await api("GET", "/v1/deployments");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  });
});
