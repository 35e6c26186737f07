import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deploymentKvKey } from "../src/deployments/record-store";
import { newUser } from "./helpers/auth";
import { connectClient, createDeployment, expectHttpError } from "./helpers/deployments";
import { api } from "./helpers/http";
import { createWorkflow, manifestWithFirstStep, updateWorkflow } from "./helpers/workflows";

/** The version a deployment serves for one workflow, as the REST API and the MCP server see it. */
async function servedVersion(token: string, deploymentId: string, mcpEndpoint: string, workflowId: string) {
  const rest = await api("GET", `/v1/deployments/${deploymentId}`, { token });
  const fromRest = rest.body.data.workflows.find((w: any) => w.workflowId === workflowId)?.version ?? null;
  const { client } = await connectClient(mcpEndpoint, "claude-code", { token });
  const listed = await client.callTool({ name: "list_workflows", arguments: {} });
  await client.close();
  return { fromRest, mcpText: JSON.stringify(listed.content) };
}

describe("library ↔ deployments", () => {
  it("a subscriber's pin decides the served version, and changing the pin re-publishes at once", async () => {
    const owner = await newUser("owner");
    const subscriber = await newUser("subscriber");
    const wf = await createWorkflow(owner.token, { visibility: "public", name: "Shared Fix" });

    const added = await api("POST", `/v1/library/${wf.workflowId}`, { token: subscriber.token, body: { autoUpdate: false } });
    expect(added.status).toBe(201);
    expect(added.body.data).toMatchObject({ sourceType: "subscribed", workflowVersion: "1.0.0", autoUpdate: false });
    const dep = await createDeployment(subscriber.token, { workflowIds: [wf.workflowId] });
    expect(dep.workflows).toEqual([{ workflowId: wf.workflowId, name: "Shared Fix", version: "1.0.0", isOwned: false }]);

    await updateWorkflow(owner.token, wf.workflowId, { manifest: manifestWithFirstStep("Reproduce", "Shared Fix") });
    const pinned = await servedVersion(subscriber.token, dep.deploymentId, dep.mcpEndpoint, wf.workflowId);
    expect(pinned.fromRest).toBe("1.0.0");
    expect(pinned.mcpText).toContain("1.0.0");
    expect(pinned.mcpText).not.toContain("1.0.1");

    const follow = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: subscriber.token, body: { autoUpdate: true } });
    expect(follow.status).toBe(200);
    expect(follow.body.data.workflowVersion).toBe("1.0.1");
    const following = await servedVersion(subscriber.token, dep.deploymentId, dep.mcpEndpoint, wf.workflowId);
    expect(following.fromRest).toBe("1.0.1");
    expect(following.mcpText).toContain("1.0.1");

    // Unsubscribing takes the workflow out of what the deployment serves.
    expect((await api("DELETE", `/v1/library/${wf.workflowId}`, { token: subscriber.token })).status).toBe(200);
    const record = await env.KV.get<any>(deploymentKvKey(dep.deploymentId), "json");
    expect(JSON.stringify(record)).not.toContain(wf.workflowId);
  });
});

describe("library changes re-publish only the caller's deployments", () => {
  it("leaves other subscribers' deployments untouched", async () => {
    const owner = await newUser("owner");
    const [alice, bob] = [await newUser("alice"), await newUser("bob")];
    const wf = await createWorkflow(owner.token, { visibility: "public", name: "Popular" });
    const deps: Record<string, string> = {};
    for (const u of [alice, bob]) {
      expect((await api("POST", `/v1/library/${wf.workflowId}`, { token: u.token })).status).toBe(201);
      deps[u.sub] = (await createDeployment(u.token, { workflowIds: [wf.workflowId] })).deploymentId;
    }
    const renderedAt = async (deploymentId: string) =>
      (await env.DB.prepare("SELECT max(updated_at) AS at FROM deployment_prompts WHERE deployment_id = ?").bind(deploymentId).first<{ at: string }>())!.at;
    const before = { alice: await renderedAt(deps[alice.sub]!), bob: await renderedAt(deps[bob.sub]!) };
    await new Promise((r) => setTimeout(r, 5)); // timestamps have millisecond resolution

    expect((await api("PATCH", `/v1/library/${wf.workflowId}`, { token: alice.token, body: { autoUpdate: false } })).status).toBe(200);
    expect(await renderedAt(deps[alice.sub]!)).not.toBe(before.alice);
    expect(await renderedAt(deps[bob.sub]!)).toBe(before.bob);
  });
});

describe("account deletion across features", () => {
  it("closes MCP endpoints, empties the marketplace and re-publishes subscribers' deployments", async () => {
    const owner = await newUser("leaver");
    const subscriber = await newUser("stayer");
    const category = `cat-${crypto.randomUUID().slice(0, 8)}`;
    const shared = await createWorkflow(owner.token, { visibility: "public", name: "Leaving Soon", category });
    const ownDep = await createDeployment(owner.token, { workflowIds: [shared.workflowId] });

    const subscriberOwn = await createWorkflow(subscriber.token, { name: "Mine" });
    expect((await api("POST", `/v1/library/${shared.workflowId}`, { token: subscriber.token })).status).toBe(201);
    const subscriberDep = await createDeployment(subscriber.token, { workflowIds: [subscriberOwn.workflowId, shared.workflowId] });
    expect(subscriberDep.workflows).toHaveLength(2);

    const listedBefore = await api("GET", `/v1/marketplace?category=${category}`, { token: subscriber.token });
    expect(listedBefore.body.data.map((w: any) => w.workflowId)).toEqual([shared.workflowId]);
    await connectClient(ownDep.mcpEndpoint, "cursor-vscode", { token: owner.token }).then(({ client }) => client.close());

    const deleted = await api("DELETE", "/v1/users/me", { token: owner.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.stats).toMatchObject({ workflows: 1, deployments: 1, deploymentLookups: 1, subscriberEntries: 1 });

    await expectHttpError(connectClient(ownDep.mcpEndpoint, "cursor-vscode", { token: owner.token }), 404, /not found/i);
    const listedAfter = await api("GET", `/v1/marketplace?category=${category}`, { token: subscriber.token });
    expect(listedAfter.body.data).toEqual([]);
    const search = await api("GET", "/v1/marketplace/search?q=Leaving%20Soon", { token: subscriber.token });
    expect(search.body.data.map((w: any) => w.workflowId)).not.toContain(shared.workflowId);

    const remaining = await api("GET", `/v1/deployments/${subscriberDep.deploymentId}`, { token: subscriber.token });
    expect(remaining.body.data.workflows.map((w: any) => w.workflowId)).toEqual([subscriberOwn.workflowId]);
    const record = await env.KV.get<any>(deploymentKvKey(subscriberDep.deploymentId), "json");
    expect(JSON.stringify(record)).not.toContain(shared.workflowId);
  });
});
