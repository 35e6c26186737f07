import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/db/client";
import { rebuildRecord } from "../src/deployments/publish";
import { loadRecord } from "../src/deployments/record-loader";
import { systemClock } from "../src/services";
import { DEPLOYMENT_RECORD_TTL_SECONDS } from "../src/deployments/record-store";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";
import { createWorkflow } from "./helpers/workflows";

async function expirationOf(key: string) {
  const listed = await env.KV.list({ prefix: key });
  return listed.keys.find((k) => k.name === key)?.expiration;
}

describe("faults: KV deployment records", () => {
  it("a missing record is rebuilt from D1 on the next MCP request, with an expiration", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const dep = await createDeployment(owner.token, { workflowIds: [wf.workflowId] });
    const key = `dep:${dep.deploymentId}`;
    const created = await expirationOf(key);
    expect(created).toBeGreaterThan(Date.now() / 1000 + DEPLOYMENT_RECORD_TTL_SECONDS - 120);

    await env.KV.delete(key);
    const res = await api("POST", `/mcp/${dep.deploymentId}`, { token: owner.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(res.status).toBe(200);
    expect(res.body.result.instructions).toMatch(/Workflows: \w+/);
    const rebuilt = await env.KV.get<{ deploymentId: string; workflows: unknown[] }>(key, "json");
    expect(rebuilt).toMatchObject({ deploymentId: dep.deploymentId });
    expect(rebuilt!.workflows).toHaveLength(1);
    expect(await expirationOf(key)).toBeGreaterThan(Date.now() / 1000 + DEPLOYMENT_RECORD_TTL_SECONDS - 120);
  });

  it("a record written after its deployment row was deleted does not survive the write", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const dep = await createDeployment(owner.token, { workflowIds: [wf.workflowId] });
    const db = createDatabase(env.DB);
    // A rebuild that read D1 just before a deletion committed: the row goes between the
    // rebuild's D1 read and its KV write.
    const key = `dep:${dep.deploymentId}`;
    await env.KV.delete(key);
    const slowKv = {
      get: env.KV.get.bind(env.KV),
      delete: env.KV.delete.bind(env.KV),
      list: env.KV.list.bind(env.KV),
      async put(k: string, value: string, opts?: KVNamespacePutOptions) {
        await env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(dep.deploymentId).run();
        return env.KV.put(k, value, opts);
      },
    } as unknown as KVNamespace;
    expect(await rebuildRecord(db, slowKv, dep.deploymentId, new Date())).toBeNull();
    expect(await env.KV.get(key)).toBeNull();
    expect(await loadRecord(() => db, env.KV, dep.deploymentId, systemClock)).toBeNull();
  });
});
