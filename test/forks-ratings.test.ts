import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { bugFixManifest } from "./helpers/fixtures";
import { api } from "./helpers/http";
import { createWorkflow, getWorkflow, manifestWithFirstStep, updateWorkflow } from "./helpers/workflows";

describe("POST /v1/workflows/{workflowId}/fork", () => {
  it("copies a public workflow into a private one owned by the caller", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, {
      name: "Code Review Assistant",
      visibility: "public",
      category: "review",
      tags: ["review"],
    });
    await updateWorkflow(owner.token, source.workflowId, { manifest: manifestWithFirstStep("Newest first step") });

    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token, body: {} });
    expect(res.status).toBe(201);
    const fork = res.body.data;
    expect(fork.workflowId).toMatch(/^wf_/);
    expect(fork.workflowId).not.toBe(source.workflowId);
    expect(fork).toMatchObject({
      name: "Code Review Assistant (copy)",
      ownerId: forker.sub,
      visibility: "private",
      category: "review",
      tags: ["review"],
      currentVersion: "1.0.0",
      forkedFrom: { workflowId: source.workflowId, userId: owner.sub, version: "1.0.1" },
      stats: { forks: 0, subscribers: 0, rating: null, ratingCount: 0 },
    });
    expect(typeof fork.createdAt).toBe("string");
    expect(fork.manifest.steps[0].name).toBe("Newest first step");

    // Readable by the forker, invisible to everyone else.
    const detail = await getWorkflow(forker.token, fork.workflowId);
    expect(detail.forkedFrom).toEqual({ workflowId: source.workflowId, userId: owner.sub, version: "1.0.1" });
    expect(detail.manifest.steps[0].name).toBe("Newest first step");
    expect((await api("GET", `/v1/workflows/${fork.workflowId}`, { token: owner.token })).status).toBe(404);

    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(1);

    const library = await api("GET", "/v1/library", { token: forker.token });
    expect(library.body.data).toHaveLength(1);
    expect(library.body.data[0]).toMatchObject({
      workflowId: fork.workflowId,
      userId: forker.sub,
      sourceType: "forked",
      sourceUserId: owner.sub,
      workflowName: "Code Review Assistant (copy)",
      workflowVersion: "1.0.0",
    });
    // A fork is not a subscription.
    expect((await api("GET", "/v1/users/me", { token: forker.token })).body.data).toMatchObject({
      workflowCount: 1,
      subscriptionCount: 0,
    });
  });

  it("uses the given name and needs no body", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, { visibility: "public" });
    const named = await api("POST", `/v1/workflows/${source.workflowId}/fork`, {
      token: forker.token,
      body: { name: "My Custom Workflow" },
    });
    expect(named.status).toBe(201);
    expect(named.body.data.name).toBe("My Custom Workflow");
    expect(named.body.data.slug).toBe("my_custom_workflow");
    const bare = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token });
    expect(bare.status).toBe(201);
    expect(bare.body.data.name).toBe("Bug Fix Workflow (copy)");
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(2);
  });

  it("treats name: null like no name (the default copy name)", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, { visibility: "public", name: "Null Name Source" });
    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token, body: { name: null } });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      name: "Null Name Source (copy)",
      visibility: "private",
      forkedFrom: { workflowId: source.workflowId, userId: owner.sub, version: "1.0.0" },
    });
  });

  it("keeps default names within the 200 character limit", async () => {
    const owner = await newUser("owner");
    const longName = "x".repeat(200);
    const source = await createWorkflow(owner.token, { name: longName, manifest: bugFixManifest("long") });
    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: owner.token });
    expect(res.status).toBe(201);
    expect(res.body.data.name).toHaveLength(200);
    expect(res.body.data.name.endsWith(" (copy)")).toBe(true);
  });

  it("forks the caller's own private workflow", async () => {
    const owner = await newUser("owner");
    const source = await createWorkflow(owner.token, { visibility: "private" });
    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: owner.token });
    expect(res.status).toBe(201);
    expect(res.body.data.forkedFrom).toEqual({ workflowId: source.workflowId, userId: owner.sub, version: "1.0.0" });
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(1);
  });

  it("answers 404 for someone else's private workflow and for unknown ids", async () => {
    const owner = await newUser("owner");
    const stranger = await newUser("stranger");
    const source = await createWorkflow(owner.token, { visibility: "private" });
    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: stranger.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    expect((await api("POST", "/v1/workflows/wf_unknown/fork", { token: stranger.token })).status).toBe(404);
    expect((await api("GET", "/v1/workflows", { token: stranger.token })).body.data).toEqual([]);
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(0);
  });

  it("rejects a bad name with its field path", async () => {
    const owner = await newUser("owner");
    const source = await createWorkflow(owner.token, { visibility: "public" });
    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: owner.token, body: { name: "" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.details.issues[0].path).toBe("name");
  });

  it("is independent of its source", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, { visibility: "public" });
    const fork = (await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token })).body.data;
    await updateWorkflow(forker.token, fork.workflowId, { manifest: manifestWithFirstStep("Forker's step"), visibility: "public" });
    const sourceNow = await getWorkflow(owner.token, source.workflowId);
    expect(sourceNow.currentVersion).toBe("1.0.0");
    expect(sourceNow.manifest.steps[0].name).toBe("Understand the bug");
    // The owner cannot change the fork.
    const res = await api("PUT", `/v1/workflows/${fork.workflowId}`, { token: owner.token, body: { name: "Taken" } });
    expect(res.status).toBe(403);
  });

  it("counts existing forks exactly, under concurrent forks and after a fork is deleted", async () => {
    const owner = await newUser("owner");
    const source = await createWorkflow(owner.token, { visibility: "public" });
    const forkers = await Promise.all(Array.from({ length: 10 }, (_, i) => newUser(`forker${i}`)));
    const results = await Promise.all(
      forkers.map((f) => api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: f.token })),
    );
    expect(results.map((r) => r.status)).toEqual(forkers.map(() => 201));
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(10);

    const deleted = await api("DELETE", `/v1/workflows/${results[0]!.body.data.workflowId}`, { token: forkers[0]!.token });
    expect(deleted.status).toBe(200);
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(9);
  });

  it("enforces the plan's workflow limit (402) and creates nothing", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, { visibility: "public" });
    await api("GET", "/v1/users/me", { token: forker.token });
    const now = new Date().toISOString();
    const seed = env.DB.prepare(
      "INSERT INTO workflows (id, owner_id, name, slug, visibility, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, 'private', '1.0.0', ?, ?)",
    );
    await env.DB.batch(
      Array.from({ length: 50 }, (_, i) => seed.bind(`wf_seed_${forker.sub}_${i}`, forker.sub, `Seed ${i}`, `seed_${i}`, now, now)),
    );

    const res = await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({
      success: false,
      error: { code: "PLAN_LIMIT_EXCEEDED", details: { resource: "workflows", limit: 50, current: 50, plan: "free" } },
    });
    expect((await getWorkflow(owner.token, source.workflowId)).stats.forks).toBe(0);
    expect((await api("GET", "/v1/library", { token: forker.token })).body.data).toEqual([]);
  });
});

describe("ratings", () => {
  async function rate(token: string, workflowId: string, rating: unknown) {
    return api("PUT", `/v1/workflows/${workflowId}/rating`, { token, body: { rating } });
  }

  it("keeps one rating per user, replaces it on re-rating, and reports the exact mean", async () => {
    const owner = await newUser("owner");
    const [a, b, c] = await Promise.all([newUser("a"), newUser("b"), newUser("c")]);
    const wf = await createWorkflow(owner.token, { visibility: "public" });

    const first = await rate(a.token, wf.workflowId, 4);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      data: { workflowId: wf.workflowId, rating: 4, stats: { forks: 0, subscribers: 0, rating: 4, ratingCount: 1 } },
    });
    expect((await rate(b.token, wf.workflowId, 5)).body.data.stats).toMatchObject({ rating: 4.5, ratingCount: 2 });
    expect((await rate(a.token, wf.workflowId, 2)).body.data.stats).toMatchObject({ rating: 3.5, ratingCount: 2 });
    expect((await rate(c.token, wf.workflowId, 5)).body.data.stats).toMatchObject({ rating: 4, ratingCount: 3 });
    expect((await rate(a.token, wf.workflowId, 3)).body.data.stats).toMatchObject({ rating: 4.33, ratingCount: 3 });

    expect((await getWorkflow(owner.token, wf.workflowId)).stats).toEqual({
      forks: 0,
      subscribers: 0,
      rating: 4.33,
      ratingCount: 3,
    });
    const mine = await api("GET", `/v1/workflows/${wf.workflowId}/rating`, { token: a.token });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toMatchObject({ workflowId: wf.workflowId, rating: 3 });
  });

  it("removes a rating with DELETE, back to null when unrated", async () => {
    const owner = await newUser("owner");
    const [a, b] = await Promise.all([newUser("a"), newUser("b")]);
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    await rate(a.token, wf.workflowId, 5);
    await rate(b.token, wf.workflowId, 2);

    const res = await api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      workflowId: wf.workflowId,
      rating: null,
      deleted: true,
      stats: { forks: 0, subscribers: 0, rating: 2, ratingCount: 1 },
    });
    const again = await api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: a.token });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");
    await api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: b.token });
    expect((await getWorkflow(owner.token, wf.workflowId)).stats).toMatchObject({ rating: null, ratingCount: 0 });
    expect((await api("GET", `/v1/workflows/${wf.workflowId}/rating`, { token: a.token })).body.data.rating).toBeNull();
  });

  it("forbids rating your own workflow (403)", async () => {
    const owner = await newUser("owner");
    const pub = await createWorkflow(owner.token, { visibility: "public" });
    const priv = await createWorkflow(owner.token, { visibility: "private" });
    for (const wf of [pub, priv]) {
      const res = await rate(owner.token, wf.workflowId, 5);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { code: "FORBIDDEN" } });
      expect((await api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: owner.token })).status).toBe(403);
    }
    expect((await getWorkflow(owner.token, pub.workflowId)).stats.ratingCount).toBe(0);
  });

  it("hides someone else's private workflow (404)", async () => {
    const owner = await newUser("owner");
    const stranger = await newUser("stranger");
    const wf = await createWorkflow(owner.token, { visibility: "private" });
    const res = await rate(stranger.token, wf.workflowId, 5);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    expect((await api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: stranger.token })).status).toBe(404);
    expect((await rate(stranger.token, "wf_unknown", 5)).status).toBe(404);
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.ratingCount).toBe(0);
  });

  it("accepts only integers from 1 to 5", async () => {
    const owner = await newUser("owner");
    const rater = await newUser("rater");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    for (const bad of [0, 6, 4.5, "5", null]) {
      const res = await rate(rater.token, wf.workflowId, bad);
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
      expect(res.body.error.details.issues[0].path).toBe("rating");
    }
    const missing = await api("PUT", `/v1/workflows/${wf.workflowId}/rating`, { token: rater.token, body: {} });
    expect(missing.status).toBe(400);
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.ratingCount).toBe(0);
  });

  it("keeps sum and count exact under concurrent ratings and re-ratings", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const raters = await Promise.all(Array.from({ length: 15 }, (_, i) => newUser(`r${i}`)));
    const first = await Promise.all(raters.map((r, i) => rate(r.token, wf.workflowId, (i % 5) + 1)));
    expect(first.every((r) => r.status === 200)).toBe(true);
    // 3 × (1+2+3+4+5) = 45 over 15 votes.
    expect((await getWorkflow(owner.token, wf.workflowId)).stats).toMatchObject({ rating: 3, ratingCount: 15 });

    const second = await Promise.all([
      ...raters.slice(0, 5).map((r) => rate(r.token, wf.workflowId, 5)),
      ...raters.slice(5, 10).map((r) => api("DELETE", `/v1/workflows/${wf.workflowId}/rating`, { token: r.token })),
    ]);
    expect(second.every((r) => r.status === 200)).toBe(true);
    // raters 0-4 → 5 each (25); raters 10-14 keep 1..5 (15): 40 over 10 votes.
    expect((await getWorkflow(owner.token, wf.workflowId)).stats).toMatchObject({ rating: 4, ratingCount: 10 });
  });
});
