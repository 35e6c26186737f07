import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, initializeBody } from "./helpers/deployments";
import { api, type ApiResponse } from "./helpers/http";
import { rpc } from "./helpers/runtime";
import { createWorkflow, manifestWithFirstStep } from "./helpers/workflows";
import { workflowBody } from "./helpers/fixtures";

const countOf = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
const inList = (ids: string[]) => `(${ids.map(() => "?").join(",") || "''"})`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row anywhere that belongs to the user, their workflows or their deployments. */
async function leftovers(userId: string, workflowIds: string[], deploymentIds: string[]) {
  const counts = {
    users: await countOf("SELECT count(*) AS n FROM users WHERE id = ?", userId),
    apiKeys: await countOf("SELECT count(*) AS n FROM api_keys WHERE user_id = ?", userId),
    workflows: await countOf(`SELECT count(*) AS n FROM workflows WHERE owner_id = ? OR id IN ${inList(workflowIds)}`, userId, ...workflowIds),
    workflowVersions: await countOf(`SELECT count(*) AS n FROM workflow_versions WHERE workflow_id IN ${inList(workflowIds)}`, ...workflowIds),
    libraryEntries: await countOf(`SELECT count(*) AS n FROM library_entries WHERE user_id = ? OR workflow_id IN ${inList(workflowIds)}`, userId, ...workflowIds),
    ratings: await countOf("SELECT count(*) AS n FROM ratings WHERE user_id = ?", userId),
    deployments: await countOf(`SELECT count(*) AS n FROM deployments WHERE owner_id = ? OR id IN ${inList(deploymentIds)}`, userId, ...deploymentIds),
    deploymentWorkflows: await countOf(`SELECT count(*) AS n FROM deployment_workflows WHERE deployment_id IN ${inList(deploymentIds)}`, ...deploymentIds),
    deploymentPrompts: await countOf(`SELECT count(*) AS n FROM deployment_prompts WHERE deployment_id IN ${inList(deploymentIds)}`, ...deploymentIds),
    runs: await countOf("SELECT count(*) AS n FROM runs WHERE user_id = ?", userId),
    billingRecords: await countOf("SELECT count(*) AS n FROM billing_records WHERE user_id = ?", userId),
    kvLookups: (await Promise.all(deploymentIds.map((id) => env.KV.get(`dep:${id}`)))).filter((v) => v !== null).length,
  };
  return counts;
}

const ZERO = {
  users: 0, apiKeys: 0, workflows: 0, workflowVersions: 0, libraryEntries: 0, ratings: 0, deployments: 0,
  deploymentWorkflows: 0, deploymentPrompts: 0, runs: 0, billingRecords: 0, kvLookups: 0,
};

describe("account deletion racing the user's own writes: deletion wins", () => {
  it("20 requests in flight around DELETE /v1/users/me leave nothing readable, searchable or serving (several trials)", async () => {
    const author = await newUser("author");
    const theirs = await createWorkflow(author.token, { visibility: "public", name: "Shared Helper" });

    for (let trial = 0; trial < 4; trial++) {
      const user = await newUser(`doomed${trial}`);
      const word = `zebrafish${trial}${crypto.randomUUID().slice(0, 6).replace(/[^a-z]/g, "q")}`;
      const seed = await createWorkflow(user.token, { visibility: "public", name: `Seed ${word}`, description: word });
      const seedDep = await api("POST", "/v1/deployments", { token: user.token, body: { name: "Seed", workflowIds: [seed.workflowId] } });
      expect(seedDep.status).toBe(201);
      const oldKey = (await api("POST", "/v1/api-keys", { token: user.token, body: { name: "old" } })).body.data.key as string;

      const writes: (() => Promise<ApiResponse>)[] = [
        ...Array.from({ length: 5 }, (_, i) => () =>
          api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ name: `Racer ${word} ${i}`, description: word, visibility: "public" }) })),
        ...Array.from({ length: 3 }, (_, i) => () =>
          api("POST", "/v1/deployments", { token: user.token, body: { name: `Dep ${i}`, workflowIds: [seed.workflowId], allowAnonymous: true } })),
        () => api("POST", "/v1/api-keys", { token: user.token, body: { name: "racing" } }),
        () => api("POST", "/v1/api-keys", { token: oldKey, body: { name: "via key" } }),
        () => api("PUT", `/v1/workflows/${theirs.workflowId}/rating`, { token: user.token, body: { rating: 4 } }),
        () => api("POST", `/v1/library/${theirs.workflowId}`, { token: user.token, body: {} }),
        () => api("POST", `/v1/workflows/${theirs.workflowId}/fork`, { token: user.token, body: { name: `Fork ${word}` } }),
        () => api("PUT", `/v1/workflows/${seed.workflowId}`, { token: user.token, body: { manifest: manifestWithFirstStep(`racing ${word}`) } }),
        () => api("PATCH", "/v1/users/me", { token: user.token, body: { displayName: "Racer" } }),
        () => rpc(user.token, "hydra.run", { intent: `Fix the bug ${word}` }),
        () => api("POST", "/v1/workflows", { token: oldKey, body: workflowBody({ name: `Key racer ${word}`, visibility: "public" }) }),
        () => api("GET", `/mcp/${seedDep.body.data.deploymentId}`, {}),
        () => api("POST", `/v1/workflows/${seed.workflowId}/fork`, { token: author.token, body: {} }),
        () => api("POST", `/v1/library/${seed.workflowId}`, { token: author.token, body: {} }),
      ];
      expect(writes.length).toBe(20);
      const inFlight = writes.map((write) => write());
      await pause(trial * 3);
      const deletion = await api("DELETE", "/v1/users/me", { token: user.token });
      expect(deletion.status, JSON.stringify(deletion.body)).toBe(200);
      const results = await Promise.all(inFlight);
      for (const r of results) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);

      // Ids anything in flight reported as created.
      const workflowIds = [seed.workflowId, ...results.flatMap((r) => (r.body?.data?.workflowId && r.body.data.ownerId === user.sub ? [r.body.data.workflowId] : []))];
      const deploymentIds = [seedDep.body.data.deploymentId, ...results.flatMap((r) => (r.body?.data?.deploymentId ? [r.body.data.deploymentId] : []))];
      const keys = [oldKey, ...results.flatMap((r) => (typeof r.body?.data?.key === "string" ? [r.body.data.key] : []))];

      expect(await leftovers(user.sub, workflowIds, deploymentIds)).toEqual(ZERO);
      const search = await api("GET", `/v1/marketplace/search?q=${word}`, { token: author.token });
      expect(search.body.data).toEqual([]);
      for (const id of workflowIds) expect((await api("GET", `/v1/workflows/${id}`, { token: author.token })).status).toBe(404);
      for (const id of deploymentIds) {
        const mcp = await api("POST", `/mcp/${id}`, { headers: MCP_HEADERS, body: initializeBody() });
        expect(mcp.status).toBe(404);
        expect(await env.KV.get(`dep:${id}`)).toBeNull();
      }
      for (const key of keys) expect((await api("GET", "/v1/workflows", { token: key })).status).toBe(401);
      expect((await api("GET", "/v1/users/me", { token: user.token })).status).toBe(401);
      // Counters the user fed are exact again.
      const row = await env.DB.prepare("SELECT rating_count, rating_sum, subscribers_count FROM workflows WHERE id = ?").bind(theirs.workflowId).first<Record<string, number>>();
      expect(row!.rating_count).toBe(await countOf("SELECT count(*) AS n FROM ratings WHERE workflow_id = ?", theirs.workflowId));
      expect(row!.subscribers_count).toBe(
        await countOf("SELECT count(*) AS n FROM library_entries WHERE workflow_id = ? AND source_type = 'subscribed'", theirs.workflowId),
      );
    }
  }, 60_000);
});
