import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { devToken, newUser } from "./helpers/auth";
import { createDatabase } from "../src/db/client";
import { configSchema } from "../src/env";
import { deleteAccount } from "../src/users/deletion";
import { bugFixManifest, workflowBody } from "./helpers/fixtures";
import { MCP_HEADERS, createDeployment, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";
import { billingApp, stripeStandIn } from "./helpers/stripe";
import { requestLogger } from "../src/log";

const iso = () => new Date().toISOString();

/** A token issued after the deletion (iat has one-second resolution, so wait for the next second). */
async function tokenIssuedAfter(sub: string, deletedAt: string) {
  const next = (Math.floor(Date.parse(deletedAt) / 1000) + 1) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now() + 5)));
  return devToken(sub);
}
const run = (sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params).run();
const countOf = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;

async function createWorkflow(token: string, overrides: Record<string, unknown> = {}) {
  const res = await api("POST", "/v1/workflows", { token, body: workflowBody(overrides) });
  expect(res.status).toBe(201);
  return res.body.data.workflowId as string;
}

/** The rows other features (library, deployments, runtime, billing) would have written, straight into D1/KV. */
async function subscribe(userId: string, workflowId: string, ownerId: string) {
  await run(
    `INSERT INTO library_entries (id, user_id, workflow_id, source_type, source_user_id, is_active, enabled_adapters, pinned_version, auto_update, added_at, updated_at)
     VALUES (?, ?, ?, 'subscribed', ?, 1, '["claude"]', '1.0.0', 1, ?, ?)`,
    `lib_${crypto.randomUUID()}`, userId, workflowId, ownerId, iso(), iso(),
  );
  await run("UPDATE workflows SET subscribers_count = subscribers_count + 1 WHERE id = ?", workflowId);
}

async function rate(userId: string, workflowId: string, rating: number) {
  await run("INSERT INTO ratings (user_id, workflow_id, rating, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", userId, workflowId, rating, iso(), iso());
  await run("UPDATE workflows SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE id = ?", rating, workflowId);
}

async function deploy(ownerId: string, workflowIds: string[], adapters: string[], lookup = true) {
  const id = `dep_${crypto.randomUUID().slice(0, 12)}`;
  await run(
    "INSERT INTO deployments (id, owner_id, name, enabled_adapters, status, allow_anonymous, created_at, updated_at) VALUES (?, ?, 'Dep', ?, 'active', 0, ?, ?)",
    id, ownerId, JSON.stringify(adapters), iso(), iso(),
  );
  for (const [position, workflowId] of workflowIds.entries()) {
    await run("INSERT INTO deployment_workflows (deployment_id, workflow_id, position) VALUES (?, ?, ?)", id, workflowId, position);
  }
  for (const adapter of adapters) {
    await run("INSERT INTO deployment_prompts (deployment_id, adapter, content, updated_at) VALUES (?, ?, '{}', ?)", id, adapter, iso());
  }
  await run("INSERT INTO deployment_usage_daily (deployment_id, day, adapter, count) VALUES (?, '2026-01-01', ?, 3)", id, adapters[0]);
  if (lookup) await env.KV.put(`dep:${id}`, JSON.stringify({ ownerId, status: "active" }));
  return id;
}

async function addRun(userId: string, withApproval: boolean) {
  const id = `run_${crypto.randomUUID().slice(0, 12)}`;
  await run("INSERT INTO runs (id, user_id, intent, status, created_at, updated_at) VALUES (?, ?, 'fix the bug', 'completed', ?, ?)", id, userId, iso(), iso());
  if (withApproval) await run("INSERT INTO run_approvals (id, run_id, user_id, created_at) VALUES (?, ?, ?, ?)", `apr_${id}`, id, userId, iso());
  return id;
}

/** Every row anywhere that still belongs to the user or points at their workflows. */
async function leftovers(userId: string, workflowIds: string[], deploymentIds: string[]) {
  const inList = (ids: string[]) => `(${ids.map(() => "?").join(",") || "''"})`;
  return {
    users: await countOf("SELECT count(*) AS n FROM users WHERE id = ?", userId),
    apiKeys: await countOf("SELECT count(*) AS n FROM api_keys WHERE user_id = ?", userId),
    workflows: await countOf("SELECT count(*) AS n FROM workflows WHERE owner_id = ?", userId),
    workflowVersions: await countOf(`SELECT count(*) AS n FROM workflow_versions WHERE workflow_id IN ${inList(workflowIds)}`, ...workflowIds),
    libraryEntries: await countOf(
      `SELECT count(*) AS n FROM library_entries WHERE user_id = ? OR workflow_id IN ${inList(workflowIds)}`,
      userId,
      ...workflowIds,
    ),
    ratings: await countOf(`SELECT count(*) AS n FROM ratings WHERE user_id = ? OR workflow_id IN ${inList(workflowIds)}`, userId, ...workflowIds),
    deployments: await countOf("SELECT count(*) AS n FROM deployments WHERE owner_id = ?", userId),
    deploymentWorkflows: await countOf(
      `SELECT count(*) AS n FROM deployment_workflows WHERE deployment_id IN ${inList(deploymentIds)} OR workflow_id IN ${inList(workflowIds)}`,
      ...deploymentIds,
      ...workflowIds,
    ),
    deploymentPrompts: await countOf(`SELECT count(*) AS n FROM deployment_prompts WHERE deployment_id IN ${inList(deploymentIds)}`, ...deploymentIds),
    deploymentUsage: await countOf(`SELECT count(*) AS n FROM deployment_usage_daily WHERE deployment_id IN ${inList(deploymentIds)}`, ...deploymentIds),
    runs: await countOf("SELECT count(*) AS n FROM runs WHERE user_id = ?", userId),
    runApprovals: await countOf("SELECT count(*) AS n FROM run_approvals WHERE user_id = ?", userId),
    billingRecords: await countOf("SELECT count(*) AS n FROM billing_records WHERE user_id = ?", userId),
    kvLookups: (await Promise.all(deploymentIds.map((id) => env.KV.get(`dep:${id}`)))).filter((v) => v !== null).length,
  };
}

describe("DELETE /v1/users/me", () => {
  it("cascade-deletes everything the user owns and reports true counts", async () => {
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const carol = await newUser("carol");

    const privateWf = await createWorkflow(alice.token, { name: "Alice private" });
    const publicWf = await createWorkflow(alice.token, { name: "Alice public", visibility: "public" });
    const updated = await api("PUT", `/v1/workflows/${publicWf}`, {
      token: alice.token,
      body: { manifest: { ...bugFixManifest("Alice public"), intent: "A new intent" } },
    });
    expect(updated.body.data.currentVersion).toBe("1.0.1");
    const key = await api("POST", "/v1/api-keys", { token: alice.token, body: { name: "ci" } });
    expect(key.status).toBe(201);

    const bobWf = await createWorkflow(bob.token, { name: "Bob public", visibility: "public" });
    await subscribe(alice.sub, bobWf, bob.sub);
    await rate(alice.sub, bobWf, 4);
    await rate(carol.sub, bobWf, 5);
    await subscribe(bob.sub, publicWf, alice.sub);
    await subscribe(carol.sub, publicWf, alice.sub);
    await rate(bob.sub, publicWf, 3);

    const aliceDep1 = await deploy(alice.sub, [privateWf, publicWf], ["claude", "cursor"]);
    const aliceDep2 = await deploy(alice.sub, [bobWf], ["codex"]);
    const aliceDep3 = await deploy(alice.sub, [], ["claude"], false);
    const bobDep = await deploy(bob.sub, [bobWf, publicWf], ["claude"]);
    await run(
      "INSERT INTO billing_records (user_id, customer_id, plan, updated_at) VALUES (?, 'cus_alice', 'free', ?)",
      alice.sub,
      iso(),
    );
    await addRun(alice.sub, true);
    await addRun(alice.sub, false);

    const res = await api("DELETE", "/v1/users/me", { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        userId: alice.sub,
        deleted: true,
        deletedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        stats: {
          workflows: 2,
          workflowVersions: 3,
          deployments: 3,
          deploymentPrompts: 4,
          deploymentLookups: 2,
          subscriptions: 1,
          subscriberEntries: 2,
          billingRecords: 1,
        },
      },
    });

    const aliceWorkflows = [privateWf, publicWf];
    const aliceDeployments = [aliceDep1, aliceDep2, aliceDep3];
    expect(await leftovers(alice.sub, aliceWorkflows, aliceDeployments)).toEqual({
      users: 0,
      apiKeys: 0,
      workflows: 0,
      workflowVersions: 0,
      libraryEntries: 0,
      ratings: 0,
      deployments: 0,
      deploymentWorkflows: 0,
      deploymentPrompts: 0,
      deploymentUsage: 0,
      runs: 0,
      runApprovals: 0,
      billingRecords: 0,
      kvLookups: 0,
    });

    // Bob's workflow keeps only the counters other people gave it.
    const bobRow = await env.DB.prepare("SELECT subscribers_count, rating_sum, rating_count FROM workflows WHERE id = ?")
      .bind(bobWf)
      .first();
    expect(bobRow).toEqual({ subscribers_count: 0, rating_sum: 5, rating_count: 1 });
    const bobView = await api("GET", `/v1/workflows/${bobWf}`, { token: bob.token });
    expect(bobView.body.data.stats).toEqual({ forks: 0, subscribers: 0, rating: 5, ratingCount: 1 });
    // Bob's deployment lost Alice's workflow but keeps his own, and its lookup record.
    const bobDepWorkflows = await env.DB.prepare("SELECT workflow_id FROM deployment_workflows WHERE deployment_id = ?").bind(bobDep).all();
    expect(bobDepWorkflows.results).toEqual([{ workflow_id: bobWf }]);
    expect(await env.KV.get(`dep:${bobDep}`)).not.toBeNull();
    // Bob's and Carol's own library entries (their owned workflows) are untouched.
    expect(await countOf("SELECT count(*) AS n FROM library_entries WHERE user_id = ?", bob.sub)).toBe(1);

    // Alice's public workflow is gone for everyone.
    const gone = await api("GET", `/v1/workflows/${publicWf}`, { token: bob.token });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("NOT_FOUND");
    expect(await countOf("SELECT count(*) AS n FROM workflows WHERE owner_id = ? AND visibility = 'public'", alice.sub)).toBe(0);
  });

  it("takes the user's MCP endpoints (404) and public workflows (marketplace, search, featured) down at once", async () => {
    const owner = await newUser("owner");
    const viewer = await newUser("viewer");
    const word = `gone${crypto.randomUUID().replace(/[-\d]/g, "").slice(0, 10)}`;
    const category = `cat-${crypto.randomUUID().slice(0, 8)}`;
    const wf = await createWorkflow(owner.token, { name: `Deleted ${word}`, visibility: "public", category });
    await run("UPDATE workflows SET featured = 1 WHERE id = ?", wf);
    const dep = await createDeployment(owner.token, { workflowIds: [wf] });
    const mcpPath = new URL(dep.mcpEndpoint).pathname;
    const initialize = () => api("POST", mcpPath, { token: owner.token, headers: MCP_HEADERS, body: initializeBody() });
    expect((await initialize()).status).toBe(200);
    const browse = () => api("GET", `/v1/marketplace?category=${category}`, { token: viewer.token });
    const search = () => api("GET", `/v1/marketplace/search?q=${word}`, { token: viewer.token });
    const featuredIds = async () =>
      (await api("GET", "/v1/marketplace/featured?limit=20", { token: viewer.token })).body.data.map((w: any) => w.workflowId);
    expect((await browse()).body.data.map((w: any) => w.workflowId)).toEqual([wf]);
    expect((await search()).body.data.map((w: any) => w.workflowId)).toEqual([wf]);
    expect(await featuredIds()).toContain(wf);

    const deleted = await api("DELETE", "/v1/users/me", { token: owner.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.stats).toMatchObject({ workflows: 1, deployments: 1, deploymentLookups: 1 });

    const mcp = await initialize();
    expect(mcp.status).toBe(404);
    expect(await env.KV.get(`dep:${dep.deploymentId}`)).toBeNull();
    const anonymous = await api("POST", mcpPath, { headers: MCP_HEADERS, body: initializeBody() });
    expect(anonymous.status).toBe(404);
    expect((await browse()).body).toEqual({ success: true, data: [], pagination: { nextCursor: null, hasMore: false, count: 0 } });
    expect((await search()).body.data).toEqual([]);
    expect(await featuredIds()).not.toContain(wf);
    // The old token is refused; a token issued after the deletion reaches a fresh account, which has no such deployment.
    expect((await api("GET", `/v1/deployments/${dep.deploymentId}`, { token: owner.token })).status).toBe(401);
    const fresh = await tokenIssuedAfter(owner.sub, deleted.body.data.deletedAt);
    const rest = await api("GET", `/v1/deployments/${dep.deploymentId}`, { token: fresh });
    expect(rest.status).toBe(404);
    expect(rest.body.error.code).toBe("NOT_FOUND");
  });

  it("revokes API keys; tokens issued before the deletion are refused, a later sign-in gets a new, empty account", async () => {
    const user = await newUser();
    await createWorkflow(user.token);
    const key = (await api("POST", "/v1/api-keys", { token: user.token, body: { name: "laptop" } })).body.data.key as string;
    expect((await api("GET", "/v1/workflows", { token: key })).status).toBe(200);
    const before = await api("GET", "/v1/users/me", { token: user.token });

    const deleted = await api("DELETE", "/v1/users/me", { token: key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.stats.workflows).toBe(1);

    const withKey = await api("GET", "/v1/workflows", { token: key });
    expect(withKey.status).toBe(401);
    expect(withKey.body.error).toMatchObject({ code: "UNAUTHORIZED", message: "API key is invalid or revoked" });
    expect(withKey.headers.get("WWW-Authenticate")).toBe("Bearer");

    // The still-valid token of the deleted account: 401 for the rest of its lifetime, and no account is re-created.
    const old = await api("GET", "/v1/users/me", { token: user.token });
    expect(old.status).toBe(401);
    expect(old.body.error).toMatchObject({ code: "UNAUTHORIZED", message: "This account has been deleted" });
    expect(old.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await countOf("SELECT count(*) AS n FROM users WHERE id = ?", user.sub)).toBe(0);

    const fresh = await tokenIssuedAfter(user.sub, deleted.body.data.deletedAt);
    const me = await api("GET", "/v1/users/me", { token: fresh });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ userId: user.sub, workflowCount: 0, deploymentCount: 0, subscriptionCount: 0, plan: "free" });
    expect(me.body.data.createdAt >= deleted.body.data.deletedAt).toBe(true);
    expect(me.body.data.createdAt > before.body.data.createdAt).toBe(true);
    expect((await api("GET", "/v1/workflows", { token: fresh })).body.data).toEqual([]);
    expect((await api("GET", "/v1/api-keys", { token: fresh })).body.data).toEqual([]);
    // The new account works normally; the old token still does not reach it.
    expect((await api("POST", "/v1/workflows", { token: fresh, body: workflowBody() })).status).toBe(201);
    expect((await api("GET", "/v1/users/me", { token: user.token })).status).toBe(401);
  });

  it("is safe to re-run: a second deletion finds an empty account", async () => {
    const user = await newUser();
    await createWorkflow(user.token);
    const first = await api("DELETE", "/v1/users/me", { token: user.token });
    expect(first.body.data.stats.workflows).toBe(1);
    expect((await api("DELETE", "/v1/users/me", { token: user.token })).status).toBe(401);
    const again = await deleteAccount({ log: requestLogger("test-retry"), db: createDatabase(env.DB), kv: env.KV, oauthKv: env.OAUTH_KV, config: configSchema.parse(env), runtime: env, now: new Date() }, user.sub);
    expect(again.stats).toEqual({
      workflows: 0,
      workflowVersions: 0,
      deployments: 0,
      deploymentPrompts: 0,
      deploymentLookups: 0,
      subscriptions: 0,
      subscriberEntries: 0,
      billingRecords: 0,
    });
  });

  it("runs as one D1 batch: a failure halfway leaves nothing deleted, and a retry completes", async () => {
    const user = await newUser();
    const workflowId = await createWorkflow(user.token, { visibility: "public" });
    const key = (await api("POST", "/v1/api-keys", { token: user.token, body: { name: "k" } })).body.data.key as string;
    await addRun(user.sub, false);
    // A trigger makes one of the last statements of the batch fail for this user only.
    const trigger = `block_run_delete_${user.sub.replace(/[^a-z0-9]/gi, "_")}`;
    await env.DB.exec(
      `CREATE TRIGGER ${trigger} BEFORE DELETE ON runs WHEN old.user_id = '${user.sub}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`,
    );
    const failed = await api("DELETE", "/v1/users/me", { token: user.token });
    expect(failed.status).toBe(500);
    expect(failed.body.error).toEqual({ code: "INTERNAL_ERROR", message: "An unexpected error occurred", details: {} });
    expect((await api("GET", `/v1/workflows/${workflowId}`, { token: key })).status).toBe(200);
    expect(await countOf("SELECT count(*) AS n FROM workflow_versions WHERE workflow_id = ?", workflowId)).toBe(1);
    expect(await countOf("SELECT count(*) AS n FROM library_entries WHERE user_id = ?", user.sub)).toBe(1);

    await env.DB.exec(`DROP TRIGGER ${trigger};`);
    const retried = await api("DELETE", "/v1/users/me", { token: user.token });
    expect(retried.status).toBe(200);
    expect(retried.body.data.stats).toMatchObject({ workflows: 1, workflowVersions: 1 });
    expect((await api("GET", "/v1/workflows", { token: key })).status).toBe(401);
  });

  it("cancels the Stripe subscription first", async () => {
    const standIn = stripeStandIn({
      "DELETE /v1/subscriptions/sub_alive": () => ({ body: { id: "sub_alive", object: "subscription", status: "canceled" } }),
    });
    const call = billingApp(standIn);
    const user = await newUser();
    await createWorkflow(user.token);
    await run(
      "INSERT INTO billing_records (user_id, customer_id, subscription_id, plan, status, updated_at) VALUES (?, 'cus_1', 'sub_alive', 'pro', 'active', ?)",
      user.sub,
      iso(),
    );
    const res = await call("DELETE", "/v1/users/me", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.data.stats).toMatchObject({ workflows: 1, billingRecords: 1 });
    expect(standIn.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(["DELETE /v1/subscriptions/sub_alive"]);
    expect(standIn.calls[0]!.headers.get("Authorization")).toBe("Bearer sk_test_hydra_standin");
  });

  it("deletes nothing when Stripe cannot cancel the subscription, and proceeds when Stripe no longer knows it", async () => {
    const failing = stripeStandIn({
      "DELETE /v1/subscriptions/sub_stuck": () => ({
        status: 400,
        body: { error: { type: "invalid_request_error", message: "internal detail" } },
      }),
    });
    const user = await newUser();
    const workflowId = await createWorkflow(user.token);
    await run(
      "INSERT INTO billing_records (user_id, customer_id, subscription_id, plan, status, updated_at) VALUES (?, 'cus_2', 'sub_stuck', 'pro', 'active', ?)",
      user.sub,
      iso(),
    );
    const refused = await billingApp(failing)("DELETE", "/v1/users/me", { token: user.token });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(JSON.stringify(refused.body)).not.toContain("internal detail");
    expect((await api("GET", `/v1/workflows/${workflowId}`, { token: user.token })).status).toBe(200);
    expect(await countOf("SELECT count(*) AS n FROM billing_records WHERE user_id = ?", user.sub)).toBe(1);

    // Unknown to Stripe (the stand-in answers 404 resource_missing): already gone, so deletion proceeds.
    await run("UPDATE billing_records SET subscription_id = 'sub_vanished' WHERE user_id = ?", user.sub);
    const missing = stripeStandIn();
    const res = await billingApp(missing)("DELETE", "/v1/users/me", { token: user.token });
    expect(res.status).toBe(200);
    expect(missing.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(["DELETE /v1/subscriptions/sub_vanished"]);
    expect(res.body.data.stats).toMatchObject({ workflows: 1, billingRecords: 1 });
  });

  it("requires authentication", async () => {
    const res = await api("DELETE", "/v1/users/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
  });
});
