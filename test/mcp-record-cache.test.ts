import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECORD_CACHE_TTL_MS } from "../src/deployments/record-cache";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";

/**
 * The per-isolate cache of deployment records: repeat MCP requests skip KV, yet every change
 * made through the API applies to the very next request, and who may use a deployment is
 * still decided per request.
 */
const rpc = (method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id: 2, method, params });
const mcp = (deploymentId: string, body: unknown, token?: string) =>
  api("POST", `/mcp/${deploymentId}`, { token, headers: { ...MCP_HEADERS, "MCP-Protocol-Version": "2025-06-18" }, body });
const toolNames = (res: { body: any }) => (res.body.result.tools as { name: string }[]).map((t) => t.name);

async function anonymousDeployment() {
  const owner = await newUser();
  const wf = await createWorkflow(owner.token);
  const d = await createDeployment(owner.token, { workflowIds: [wf.workflowId], allowAnonymous: true });
  return { owner, wf, d };
}

describe("deployment record cache", () => {
  it("repeat requests are served without KV or D1 (within the TTL)", async () => {
    const { d } = await anonymousDeployment();
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).body.result.prompts).toHaveLength(1);
    // Gone from KV and D1 behind the API's back (as another location might): still served from memory.
    await env.KV.delete(`dep:${d.deploymentId}`);
    await env.DB.batch([
      env.DB.prepare("DELETE FROM deployment_prompts WHERE deployment_id = ?").bind(d.deploymentId),
      env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(d.deploymentId),
    ]);
    const again = await mcp(d.deploymentId, rpc("prompts/get", { name: "bug_fix_workflow" }));
    expect(again.status).toBe(200);
    expect(again.body.result.messages[0].content.text).toContain("understand_bug");
  });

  it("a stored record of a shape this code cannot serve is rebuilt from D1, not served", async () => {
    const { d } = await anonymousDeployment();
    const key = `dep:${d.deploymentId}`;
    await env.KV.put(key, JSON.stringify({ v: 0, deploymentId: d.deploymentId, status: "active", allowAnonymous: true }));
    const res = await mcp(d.deploymentId, rpc("prompts/list"));
    expect(res.status).toBe(200);
    expect(res.body.result.prompts.map((p: { name: string }) => p.name)).toEqual(["bug_fix_workflow"]);
    expect(await env.KV.get<any>(key, "json")).toMatchObject({ v: 1, deploymentId: d.deploymentId, enabledAdapters: ["claude", "cursor", "codex"] });
  });

  it("bounds staleness by the TTL: after it, a deployment deleted elsewhere is 404", async () => {
    const { d } = await anonymousDeployment();
    expect((await mcp(d.deploymentId, rpc("tools/list"))).status).toBe(200);
    await env.KV.delete(`dep:${d.deploymentId}`);
    await env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(d.deploymentId).run();
    await new Promise((resolve) => setTimeout(resolve, RECORD_CACHE_TTL_MS + 200));
    const res = await mcp(d.deploymentId, rpc("tools/list"));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  }, 20_000);

  it("deactivate → 423, activate → 200, delete → 404 on the very next request", async () => {
    const { owner, d } = await anonymousDeployment();
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).status).toBe(200);
    expect((await api("POST", `/v1/deployments/${d.deploymentId}/deactivate`, { token: owner.token })).status).toBe(200);
    const locked = await mcp(d.deploymentId, rpc("prompts/list"));
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe("LOCKED");
    expect((await api("POST", `/v1/deployments/${d.deploymentId}/activate`, { token: owner.token })).status).toBe(200);
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).status).toBe(200);
    expect((await api("DELETE", `/v1/deployments/${d.deploymentId}`, { token: owner.token })).status).toBe(200);
    const gone = await mcp(d.deploymentId, rpc("prompts/list"));
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("NOT_FOUND");
  });

  it("a workflow rename, an adapter toggle and private mode apply to the next request", async () => {
    const { owner, wf, d } = await anonymousDeployment();
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).body.result.prompts[0].title).toBe("Bug Fix Workflow");

    const renamed = await api("PUT", `/v1/workflows/${wf.workflowId}`, { token: owner.token, body: { name: "Renamed Flow" } });
    expect(renamed.status).toBe(200);
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).body.result.prompts[0].title).toBe("Renamed Flow");

    expect((await api("POST", `/v1/deployments/${d.deploymentId}/adapters`, { token: owner.token, body: { adapter: "claude", enabled: false } })).status).toBe(200);
    const init = await mcp(d.deploymentId, initializeBody("claude-code"));
    expect(init.body.result.instructions).toContain("claude adapter, which is disabled");

    expect((await api("PUT", `/v1/deployments/${d.deploymentId}`, { token: owner.token, body: { allowAnonymous: false } })).status).toBe(200);
    expect((await mcp(d.deploymentId, rpc("prompts/list"))).status).toBe(401);
    expect((await mcp(d.deploymentId, rpc("prompts/list"), owner.token)).status).toBe(200);
  });

  it("the cached record is shared, the caller is not: run tools only for the owner, others' deployments 404", async () => {
    const { owner, d } = await anonymousDeployment();
    const stranger = await newUser();
    const ownerTools = toolNames(await mcp(d.deploymentId, rpc("tools/list"), owner.token));
    expect(ownerTools).toContain("start_run");
    expect(toolNames(await mcp(d.deploymentId, rpc("tools/list")))).not.toContain("start_run");
    expect(toolNames(await mcp(d.deploymentId, rpc("tools/list"), stranger.token))).not.toContain("start_run");
    expect(toolNames(await mcp(d.deploymentId, rpc("tools/list"), owner.token))).toEqual(ownerTools);

    // A private deployment, cached after its owner's request, is still 404 to someone else.
    const wf = await createWorkflow(owner.token);
    const own = await createDeployment(owner.token, { workflowIds: [wf.workflowId] });
    expect((await mcp(own.deploymentId, rpc("prompts/list"), owner.token)).status).toBe(200);
    const foreign = await mcp(own.deploymentId, rpc("prompts/list"), stranger.token);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("NOT_FOUND");
  });
});
