import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { createWorkflow, getWorkflow, manifestWithFirstStep, updateWorkflow } from "./helpers/workflows";

const ENTRY_KEYS = [
  "addedAt",
  "autoUpdate",
  "enabledAdapters",
  "isActive",
  "libraryId",
  "sourceType",
  "sourceUserId",
  "updatedAt",
  "userId",
  "workflowId",
  "workflowName",
  "workflowVersion",
].sort();

async function libraryOf(token: string, query = "") {
  const res = await api("GET", `/v1/library${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function subscriptionCount(token: string) {
  const res = await api("GET", "/v1/users/me", { token });
  expect(res.status).toBe(200);
  return res.body.data.subscriptionCount as number;
}

describe("library entries", () => {
  it("lists the owned entry that workflow creation adds, in the seed's shape", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token, { name: "Owned Flow" });
    const body = await libraryOf(owner.token);
    expect(body.success).toBe(true);
    expect(body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 1 });
    const [entry] = body.data;
    expect(Object.keys(entry).sort()).toEqual(ENTRY_KEYS);
    expect(entry).toMatchObject({
      workflowId: wf.workflowId,
      userId: owner.sub,
      sourceType: "owned",
      sourceUserId: owner.sub,
      isActive: true,
      enabledAdapters: ["claude", "cursor", "codex"],
      workflowName: "Owned Flow",
      workflowVersion: "1.0.0",
      autoUpdate: true,
    });
    expect(entry.libraryId).toMatch(/^lib_/);
  });

  it("subscribes to someone else's public workflow (201) and counts the subscriber", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { name: "Shared Flow", visibility: "public" });

    const res = await api("POST", `/v1/library/${wf.workflowId}`, {
      token: fan.token,
      body: { enabledAdapters: ["claude", "cursor"], autoUpdate: true },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(ENTRY_KEYS);
    expect(res.body.data).toMatchObject({
      workflowId: wf.workflowId,
      userId: fan.sub,
      sourceType: "subscribed",
      sourceUserId: owner.sub,
      isActive: true,
      enabledAdapters: ["claude", "cursor"],
      workflowName: "Shared Flow",
      workflowVersion: "1.0.0",
      autoUpdate: true,
    });
    expect(res.body.data.addedAt).toBe(res.body.data.updatedAt);

    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(1);
    expect(await subscriptionCount(fan.token)).toBe(1);
    expect(await subscriptionCount(owner.token)).toBe(0);
    const listed = await libraryOf(fan.token);
    expect(listed.data.map((e: any) => e.workflowId)).toEqual([wf.workflowId]);
  });

  it("defaults to every adapter and autoUpdate on, accepting an empty body", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const res = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(res.status).toBe(201);
    expect(res.body.data.enabledAdapters).toEqual(["claude", "cursor", "codex"]);
    expect(res.body.data.autoUpdate).toBe(true);
  });

  it("answers 409 when the workflow is already in the library (subscribed or owned)", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    expect((await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token })).status).toBe(201);
    const again = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, error: { code: "CONFLICT" } });
    const own = await api("POST", `/v1/library/${wf.workflowId}`, { token: owner.token });
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe("CONFLICT");
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(1);
  });

  it("hides someone else's private workflow (404) and unknown ids (404)", async () => {
    const owner = await newUser("owner");
    const stranger = await newUser("stranger");
    const wf = await createWorkflow(owner.token, { visibility: "private" });
    const res = await api("POST", `/v1/library/${wf.workflowId}`, { token: stranger.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    expect((await api("POST", "/v1/library/wf_doesnotexist", { token: stranger.token })).status).toBe(404);
    expect((await libraryOf(stranger.token)).data).toEqual([]);
  });

  it("restores a removed own workflow as an owned entry", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    expect((await api("DELETE", `/v1/library/${wf.workflowId}`, { token: owner.token })).status).toBe(200);
    expect((await libraryOf(owner.token)).data).toEqual([]);
    const res = await api("POST", `/v1/library/${wf.workflowId}`, { token: owner.token });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ sourceType: "owned", sourceUserId: owner.sub });
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(0);
  });

  it("rejects bad bodies with field paths", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const res = await api("POST", `/v1/library/${wf.workflowId}`, {
      token: fan.token,
      body: { enabledAdapters: ["claude", "vim"], autoUpdate: "yes" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    const paths = res.body.error.details.issues.map((i: any) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["enabledAdapters.1", "autoUpdate"]));
    const empty = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token, body: { enabledAdapters: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.issues[0].path).toBe("enabledAdapters");
    const malformed = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token, rawBody: "{not json" });
    expect(malformed.status).toBe(400);
    expect((await libraryOf(fan.token)).data).toEqual([]);
  });

  it("requires authentication", async () => {
    const res = await api("GET", "/v1/library");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
  });
});

describe("PATCH /v1/library/{workflowId}", () => {
  it("updates isActive and enabledAdapters; activeOnly filters inactive entries", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const added = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    const res = await api("PATCH", `/v1/library/${wf.workflowId}`, {
      token: fan.token,
      body: { isActive: false, enabledAdapters: ["claude"] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      libraryId: added.body.data.libraryId,
      isActive: false,
      enabledAdapters: ["claude"],
      autoUpdate: true,
      addedAt: added.body.data.addedAt,
    });
    const own = await createWorkflow(fan.token, { name: "Fan's own" });

    const all = await libraryOf(fan.token, "?activeOnly=false");
    expect(all.data.map((e: any) => e.workflowId).sort()).toEqual([wf.workflowId, own.workflowId].sort());
    const active = await libraryOf(fan.token, "?activeOnly=true");
    expect(active.data.map((e: any) => e.workflowId)).toEqual([own.workflowId]);
    expect(active.pagination.count).toBe(1);
  });

  it("rejects an empty body, bad values and a bad activeOnly", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const empty = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: owner.token, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("VALIDATION_ERROR");
    const bad = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: owner.token, body: { isActive: "no" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("isActive");
    const query = await api("GET", "/v1/library?activeOnly=maybe", { token: owner.token });
    expect(query.status).toBe(400);
    expect(query.body.error.details.issues[0].path).toBe("activeOnly");
  });

  it("parses activeOnly as true/false/1/0, and a blank parameter as absent", async () => {
    const owner = await newUser("owner");
    const active = await createWorkflow(owner.token, { name: "Active" });
    const inactive = await createWorkflow(owner.token, { name: "Inactive" });
    expect((await api("PATCH", `/v1/library/${inactive.workflowId}`, { token: owner.token, body: { isActive: false } })).status).toBe(200);
    const ids = (body: any) => body.data.map((e: any) => e.workflowId).sort();
    const both = [active.workflowId, inactive.workflowId].sort();
    expect(ids(await libraryOf(owner.token, "?activeOnly=true"))).toEqual([active.workflowId]);
    expect(ids(await libraryOf(owner.token, "?activeOnly=1"))).toEqual([active.workflowId]);
    expect(ids(await libraryOf(owner.token, "?activeOnly=false"))).toEqual(both);
    expect(ids(await libraryOf(owner.token, "?activeOnly=0"))).toEqual(both);
    expect(ids(await libraryOf(owner.token))).toEqual(both);
    const blank = await libraryOf(owner.token, "?activeOnly=&limit=&cursor=");
    expect(ids(blank)).toEqual(both);
    expect(blank.pagination).toEqual({ nextCursor: null, hasMore: false, count: 2 });
  });

  it("answers 404 for a workflow that is not in the caller's library", async () => {
    const owner = await newUser("owner");
    const other = await newUser("other");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const res = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: other.token, body: { isActive: false } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
    // The owner's entry is untouched.
    expect((await libraryOf(owner.token)).data[0].isActive).toBe(true);
  });
});

describe("autoUpdate and pinned versions", () => {
  it("pins entries with autoUpdate false and keeps the pinned manifest readable", async () => {
    const owner = await newUser("owner");
    const pinned = await newUser("pinned");
    const follower = await newUser("follower");
    const wf = await createWorkflow(owner.token, { visibility: "public", manifest: manifestWithFirstStep("Version one step") });

    expect((await api("POST", `/v1/library/${wf.workflowId}`, { token: pinned.token, body: { autoUpdate: false } })).status).toBe(201);
    expect((await api("POST", `/v1/library/${wf.workflowId}`, { token: follower.token, body: { autoUpdate: true } })).status).toBe(201);

    await updateWorkflow(owner.token, wf.workflowId, { manifest: manifestWithFirstStep("Version two step") });

    expect((await libraryOf(pinned.token)).data[0]).toMatchObject({ workflowVersion: "1.0.0", autoUpdate: false });
    expect((await libraryOf(follower.token)).data[0]).toMatchObject({ workflowVersion: "1.0.1", autoUpdate: true });

    const pinnedDetail = await api("GET", `/v1/library/${wf.workflowId}`, { token: pinned.token });
    expect(pinnedDetail.status).toBe(200);
    expect(pinnedDetail.body.data).toMatchObject({ workflowVersion: "1.0.0", latestVersion: "1.0.1", available: true });
    expect(pinnedDetail.body.data.manifest.steps[0].name).toBe("Version one step");
    const followerDetail = await api("GET", `/v1/library/${wf.workflowId}`, { token: follower.token });
    expect(followerDetail.body.data.manifest.steps[0].name).toBe("Version two step");

    // Other changes leave the pin alone.
    const touched = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: pinned.token, body: { isActive: false } });
    expect(touched.body.data.workflowVersion).toBe("1.0.0");
    const stillPinned = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: pinned.token, body: { autoUpdate: false } });
    expect(stillPinned.body.data.workflowVersion).toBe("1.0.0");

    // Turning autoUpdate on moves to the newest version.
    const on = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: pinned.token, body: { autoUpdate: true } });
    expect(on.status).toBe(200);
    expect(on.body.data).toMatchObject({ workflowVersion: "1.0.1", autoUpdate: true });

    // Turning it off again pins the version it was following.
    const off = await api("PATCH", `/v1/library/${wf.workflowId}`, { token: pinned.token, body: { autoUpdate: false } });
    expect(off.body.data).toMatchObject({ workflowVersion: "1.0.1", autoUpdate: false });
    await updateWorkflow(owner.token, wf.workflowId, { manifest: manifestWithFirstStep("Version three step") });
    const after = await api("GET", `/v1/library/${wf.workflowId}`, { token: pinned.token });
    expect(after.body.data).toMatchObject({ workflowVersion: "1.0.1", latestVersion: "1.0.2" });
    expect(after.body.data.manifest.steps[0].name).toBe("Version two step");
    expect((await libraryOf(follower.token)).data[0].workflowVersion).toBe("1.0.2");
  });

  it("answers 404 for GET of a workflow that is not in the library", async () => {
    const user = await newUser();
    const res = await api("GET", "/v1/library/wf_nothere", { token: user.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});

describe("DELETE /v1/library/{workflowId}", () => {
  it("removes the entry, updates the counts, and is 404 the second time", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const added = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    const res = await api("DELETE", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { libraryId: added.body.data.libraryId, workflowId: wf.workflowId, deleted: true },
    });
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(0);
    expect(await subscriptionCount(fan.token)).toBe(0);
    expect((await libraryOf(fan.token)).data).toEqual([]);
    const again = await api("DELETE", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");
  });
});

describe("subscriber counts under concurrency", () => {
  it("stays exact with many simultaneous subscribes and unsubscribes", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const fans = await Promise.all(Array.from({ length: 24 }, (_, i) => newUser(`fan${i}`)));

    const subscribed = await Promise.all(
      fans.map((fan) => api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token })),
    );
    expect(subscribed.map((r) => r.status)).toEqual(fans.map(() => 201));
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(24);

    // Half leave while the same users retry subscribing (409) and new ones join.
    const newcomers = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(`new${i}`)));
    const mixed = await Promise.all([
      ...fans.slice(0, 12).map((fan) => api("DELETE", `/v1/library/${wf.workflowId}`, { token: fan.token })),
      ...fans.slice(12).map((fan) => api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token })),
      ...newcomers.map((user) => api("POST", `/v1/library/${wf.workflowId}`, { token: user.token })),
    ]);
    expect(mixed.slice(0, 12).every((r) => r.status === 200)).toBe(true);
    expect(mixed.slice(12, 24).every((r) => r.status === 409)).toBe(true);
    expect(mixed.slice(24).every((r) => r.status === 201)).toBe(true);

    const stats = (await getWorkflow(owner.token, wf.workflowId)).stats;
    expect(stats.subscribers).toBe(12 + 6);
  });

  it("stays exact when one user races subscribe against itself", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    expect((await getWorkflow(owner.token, wf.workflowId)).stats.subscribers).toBe(1);
    expect(await subscriptionCount(fan.token)).toBe(1);
  });
});

describe("workflows that change under subscribers", () => {
  it("removes subscribers' entries when the owner deletes the workflow", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    const keep = await createWorkflow(owner.token, { name: "Kept", visibility: "public" });
    await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    await api("POST", `/v1/library/${keep.workflowId}`, { token: fan.token });
    expect(await subscriptionCount(fan.token)).toBe(2);

    expect((await api("DELETE", `/v1/workflows/${wf.workflowId}`, { token: owner.token })).status).toBe(200);

    const listed = await libraryOf(fan.token);
    expect(listed.data.map((e: any) => e.workflowId)).toEqual([keep.workflowId]);
    expect(await subscriptionCount(fan.token)).toBe(1);
    expect((await api("GET", `/v1/library/${wf.workflowId}`, { token: fan.token })).status).toBe(404);
    expect((await api("DELETE", `/v1/library/${wf.workflowId}`, { token: fan.token })).status).toBe(404);
  });

  it("keeps the entry of a workflow made private, without its manifest, and blocks re-adding", async () => {
    const owner = await newUser("owner");
    const fan = await newUser("fan");
    const wf = await createWorkflow(owner.token, { visibility: "public" });
    await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    await updateWorkflow(owner.token, wf.workflowId, { visibility: "private" });

    expect((await libraryOf(fan.token)).data.map((e: any) => e.workflowId)).toEqual([wf.workflowId]);
    const detail = await api("GET", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(detail.status).toBe(200);
    expect(detail.body.data).toMatchObject({ available: false, manifest: null });

    expect((await api("DELETE", `/v1/library/${wf.workflowId}`, { token: fan.token })).status).toBe(200);
    const readd = await api("POST", `/v1/library/${wf.workflowId}`, { token: fan.token });
    expect(readd.status).toBe(404);
  });
});

describe("library pagination", () => {
  it("pages newest first without duplicates or gaps and rejects foreign cursors", async () => {
    const user = await newUser();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createWorkflow(user.token, { name: `Flow ${i}` })).workflowId);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: any = await libraryOf(user.token, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(body.pagination.count).toBe(body.data.length);
      seen.push(...body.data.map((e: any) => e.workflowId));
      cursor = body.pagination.nextCursor;
      expect(body.pagination.hasMore).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...created].sort());
    // Newest first; ids break ties between entries added in the same millisecond.
    const all = (await libraryOf(user.token, "?limit=100")).data;
    expect(all.map((e: any) => e.workflowId)).toEqual(seen);
    const keys = all.map((e: any) => `${e.addedAt}|${e.libraryId}`);
    expect(keys).toEqual([...keys].sort().reverse());

    const bad = await api("GET", "/v1/library?cursor=garbage", { token: user.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("cursor");
    const limit = await api("GET", "/v1/library?limit=0", { token: user.token });
    expect(limit.status).toBe(400);
  });
});
