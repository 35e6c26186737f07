import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { newUser } from "./helpers/auth";
import { bugFixManifest } from "./helpers/fixtures";
import { api, readResponse, request } from "./helpers/http";
import { createWorkflow, manifestWithFirstStep, updateWorkflow } from "./helpers/workflows";

/** Storage is shared within this file: every test works in its own category or with its own words. */
const uniqueWord = (label: string) => `${label}${crypto.randomUUID().replace(/-/g, "").replace(/\d/g, "").slice(0, 10)}`;
const uniqueCategory = () => `cat-${crypto.randomUUID().slice(0, 8)}`;

async function browse(token: string, query: string) {
  const res = await api("GET", `/v1/marketplace?${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function search(token: string, q: string, extra = "") {
  return api("GET", `/v1/marketplace/search?q=${encodeURIComponent(q)}${extra}`, { token });
}

async function setCounters(workflowId: string, c: { subscribers?: number; forks?: number; ratingSum?: number; ratingCount?: number }) {
  await env.DB.prepare(
    "UPDATE workflows SET subscribers_count = ?, forks_count = ?, rating_sum = ?, rating_count = ? WHERE id = ?",
  )
    .bind(c.subscribers ?? 0, c.forks ?? 0, c.ratingSum ?? 0, c.ratingCount ?? 0, workflowId)
    .run();
}

/** Follows nextCursor to the end, asserting every page's pagination block. */
async function collectPages(token: string, path: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: any } = await api("GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    expect(res.body.pagination.count).toBe(res.body.data.length);
    ids.push(...res.body.data.map((w: any) => w.workflowId));
    cursor = res.body.pagination.nextCursor;
    expect(res.body.pagination.hasMore).toBe(cursor !== null);
    if (!cursor) return ids;
  }
  throw new Error("pagination did not end");
}

const desc = (a: number | string, b: number | string) => (a < b ? 1 : a > b ? -1 : 0);
const bayesian = (w: any) => (w.stats.ratingCount === 0 ? -1 : (15 + w.stats.rating * w.stats.ratingCount) / (5 + w.stats.ratingCount));

/** The documented orders, written independently of the SQL. */
const EXPECTED_ORDER: Record<string, (a: any, b: any) => number> = {
  popular: (a, b) =>
    desc(a.stats.subscribers, b.stats.subscribers) ||
    desc(a.stats.forks, b.stats.forks) ||
    desc(a.createdAt, b.createdAt) ||
    desc(a.workflowId, b.workflowId),
  recent: (a, b) => desc(a.updatedAt, b.updatedAt) || desc(a.workflowId, b.workflowId),
  rating: (a, b) => desc(bayesian(a), bayesian(b)) || desc(a.workflowId, b.workflowId),
};

describe("GET /v1/marketplace", () => {
  it("lists only public workflows from every user, with public fields only", async () => {
    const category = uniqueCategory();
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const viewer = await newUser("viewer");
    const pub = await createWorkflow(alice.token, { name: "Alice Public", visibility: "public", category, tags: ["a", "b"] });
    const bobPub = await createWorkflow(bob.token, { name: "Bob Public", visibility: "public", category });
    await createWorkflow(alice.token, { name: "Alice Private", visibility: "private", category });
    await env.DB.prepare("UPDATE users SET display_name = 'Alice A.' WHERE id = ?").bind(alice.sub).run();

    const body = await browse(viewer.token, `category=${category}`);
    expect(body.success).toBe(true);
    expect(body.data.map((w: any) => w.workflowId).sort()).toEqual([pub.workflowId, bobPub.workflowId].sort());
    const item = body.data.find((w: any) => w.workflowId === pub.workflowId);
    expect(item).toMatchObject({
      workflowId: pub.workflowId,
      name: "Alice Public",
      description: "Find and fix bugs",
      visibility: "public",
      category,
      tags: ["a", "b"],
      currentVersion: "1.0.0",
      ownerId: alice.sub,
      ownerName: "Alice A.",
      featured: false,
      stats: { forks: 0, subscribers: 0, rating: null, ratingCount: 0 },
    });
    expect(item.manifest).toBeUndefined();
    expect(body.data.find((w: any) => w.workflowId === bobPub.workflowId).ownerName).toBe(bob.sub);
    const text = JSON.stringify(body);
    expect(text).not.toContain(alice.email);
    expect(text).not.toContain(bob.email);
    expect(text).not.toContain("Alice Private");
  });

  it("matches category exactly", async () => {
    const category = uniqueCategory();
    const user = await newUser();
    const exact = await createWorkflow(user.token, { visibility: "public", category });
    await createWorkflow(user.token, { visibility: "public", category: `${category}-more` });
    await createWorkflow(user.token, { visibility: "public", category: category.toUpperCase() });
    const body = await browse(user.token, `category=${category}`);
    expect(body.data.map((w: any) => w.workflowId)).toEqual([exact.workflowId]);
    expect((await browse(user.token, `category=${category.slice(0, -1)}`)).data).toEqual([]);
  });

  it("sorts popular by subscribers, then forks, then newest, using real subscribes and forks", async () => {
    const category = uniqueCategory();
    const owner = await newUser("owner");
    const [fan1, fan2] = await Promise.all([newUser("fan1"), newUser("fan2")]);
    const older = await createWorkflow(owner.token, { name: "Older", visibility: "public", category });
    const forked = await createWorkflow(owner.token, { name: "Forked", visibility: "public", category });
    const loved = await createWorkflow(owner.token, { name: "Loved", visibility: "public", category });
    await createWorkflow(owner.token, { name: "Newest", visibility: "public", category });
    await api("POST", `/v1/library/${loved.workflowId}`, { token: fan1.token });
    await api("POST", `/v1/library/${loved.workflowId}`, { token: fan2.token });
    await api("POST", `/v1/library/${forked.workflowId}`, { token: fan1.token });
    await api("POST", `/v1/library/${older.workflowId}`, { token: fan2.token });
    // Forks land in the fan's own private copies, outside this listing.
    await api("POST", `/v1/workflows/${forked.workflowId}/fork`, { token: fan1.token, body: { name: "fan copy" } });
    await env.DB.prepare("UPDATE workflows SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?").bind(older.workflowId).run();

    const body = await browse(owner.token, `category=${category}&sort=popular`);
    expect(body.data.map((w: any) => w.name)).toEqual(["Loved", "Forked", "Older", "Newest"]);
    expect(body.data.map((w: any) => w.stats.subscribers)).toEqual([2, 1, 1, 0]);
    expect(body.data.map((w: any) => w.stats.forks)).toEqual([0, 1, 0, 0]);
    // popular is the default sort
    expect((await browse(owner.token, `category=${category}`)).data.map((w: any) => w.name)).toEqual([
      "Loved",
      "Forked",
      "Older",
      "Newest",
    ]);
  });

  it("sorts recent by last update", async () => {
    const category = uniqueCategory();
    const owner = await newUser("owner");
    const first = await createWorkflow(owner.token, { name: "First", visibility: "public", category });
    await createWorkflow(owner.token, { name: "Second", visibility: "public", category });
    await env.DB.prepare("UPDATE workflows SET updated_at = '2020-01-01T00:00:00.000Z' WHERE category = ?").bind(category).run();
    await updateWorkflow(owner.token, first.workflowId, { description: "touched" });
    const body = await browse(owner.token, `category=${category}&sort=recent`);
    expect(body.data.map((w: any) => w.name)).toEqual(["First", "Second"]);
  });

  it("sorts rating by Bayesian average: one 5-star does not beat fifty 4.8s, unrated last", async () => {
    const category = uniqueCategory();
    const owner = await newUser("owner");
    const single = await createWorkflow(owner.token, { name: "Single five", visibility: "public", category });
    const many = await createWorkflow(owner.token, { name: "Fifty 4.8s", visibility: "public", category });
    const meh = await createWorkflow(owner.token, { name: "Two threes", visibility: "public", category });
    await createWorkflow(owner.token, { name: "Unrated", visibility: "public", category });
    await setCounters(single.workflowId, { ratingSum: 5, ratingCount: 1 });
    await setCounters(many.workflowId, { ratingSum: 240, ratingCount: 50 });
    await setCounters(meh.workflowId, { ratingSum: 6, ratingCount: 2 });

    const body = await browse(owner.token, `category=${category}&sort=rating`);
    expect(body.data.map((w: any) => w.name)).toEqual(["Fifty 4.8s", "Single five", "Two threes", "Unrated"]);
    expect(body.data.map((w: any) => w.stats.rating)).toEqual([4.8, 5, 3, null]);
  });

  it("orders by rating with real votes through the API", async () => {
    const category = uniqueCategory();
    const owner = await newUser("owner");
    const voters = await Promise.all(Array.from({ length: 4 }, (_, i) => newUser(`v${i}`)));
    const one = await createWorkflow(owner.token, { name: "One vote", visibility: "public", category });
    const four = await createWorkflow(owner.token, { name: "Four votes", visibility: "public", category });
    await api("PUT", `/v1/workflows/${one.workflowId}/rating`, { token: voters[0]!.token, body: { rating: 5 } });
    for (const [i, r] of [5, 5, 4, 5].entries()) {
      await api("PUT", `/v1/workflows/${four.workflowId}/rating`, { token: voters[i]!.token, body: { rating: r } });
    }
    const body = await browse(owner.token, `category=${category}&sort=rating`);
    expect(body.data.map((w: any) => w.name)).toEqual(["Four votes", "One vote"]);
    expect(body.data[0].stats).toMatchObject({ rating: 4.75, ratingCount: 4 });
  });

  it.each(["popular", "recent", "rating"])("pages the %s sort without duplicates or gaps, ties included", async (sort) => {
    const category = uniqueCategory();
    const owner = await newUser("owner");
    const created: string[] = [];
    for (let i = 0; i < 9; i++) {
      created.push((await createWorkflow(owner.token, { name: `Page ${i}`, visibility: "public", category })).workflowId);
    }
    // Heavy ties on every key: three groups of equal counts and equal timestamps.
    for (const [i, id] of created.entries()) {
      const group = i % 3;
      await setCounters(id, { subscribers: group, forks: group === 1 ? 1 : 0, ratingSum: group * 4, ratingCount: group });
      await env.DB.prepare("UPDATE workflows SET created_at = ?, updated_at = ? WHERE id = ?")
        .bind(`2024-01-0${group + 1}T00:00:00.000Z`, `2024-02-0${group + 1}T00:00:00.000Z`, id)
        .run();
    }
    const items = (await browse(owner.token, `category=${category}&sort=${sort}&limit=100`)).data;
    const full = items.map((w: any) => w.workflowId);
    expect([...full].sort()).toEqual([...created].sort());
    expect(full).toEqual([...items].sort(EXPECTED_ORDER[sort]!).map((w: any) => w.workflowId));
    for (const limit of [1, 2, 4]) {
      expect(await collectPages(owner.token, `/v1/marketplace?category=${category}&sort=${sort}`, limit)).toEqual(full);
    }
  });

  it("rejects unknown sorts, bad limits and cursors from another sort", async () => {
    const category = uniqueCategory();
    const user = await newUser();
    await createWorkflow(user.token, { visibility: "public", category });
    await createWorkflow(user.token, { visibility: "public", category });
    const sort = await api("GET", "/v1/marketplace?sort=best", { token: user.token });
    expect(sort.status).toBe(400);
    expect(sort.body.error.code).toBe("VALIDATION_ERROR");
    expect(sort.body.error.details.issues[0].path).toBe("sort");
    expect((await api("GET", "/v1/marketplace?limit=101", { token: user.token })).status).toBe(400);
    const page = await browse(user.token, `category=${category}&sort=recent&limit=1`);
    const cross = await api("GET", `/v1/marketplace?category=${category}&sort=rating&cursor=${page.pagination.nextCursor}`, {
      token: user.token,
    });
    expect(cross.status).toBe(400);
    expect(cross.body.error.details.issues[0].path).toBe("cursor");
    expect((await api("GET", "/v1/marketplace?cursor=%7B%7D", { token: user.token })).status).toBe(400);
    expect((await api("GET", "/v1/marketplace")).status).toBe(401);
  });

  it("treats blank parameters as absent, as in the URL template ?category=&sort=&limit=&cursor=", async () => {
    const user = await newUser();
    const blank = await api("GET", "/v1/marketplace?category=&sort=&limit=&cursor=", { token: user.token });
    expect(blank.status, JSON.stringify(blank.body)).toBe(200);
    expect(blank.body.success).toBe(true);
    expect(blank.body.data.length).toBeLessThanOrEqual(20);
    expect(blank.body.data.every((w: any) => w.visibility === "public")).toBe(true);
    expect(blank.body.pagination.count).toBe(blank.body.data.length);
    const featured = await api("GET", "/v1/marketplace/featured?limit=", { token: user.token });
    expect(featured.status).toBe(200);
    expect(Array.isArray(featured.body.data)).toBe(true);
    const searched = await api("GET", `/v1/marketplace/search?q=${uniqueWord("blank")}&category=&limit=`, { token: user.token });
    expect(searched.status).toBe(200);
    expect(searched.body).toEqual({ success: true, data: [], pagination: { nextCursor: null, hasMore: false, count: 0 } });
  });

  it("rejects a cursor that is not one of ours with 400 on cursor", async () => {
    const user = await newUser();
    for (const cursor of ["garbage", "%%%", btoa(JSON.stringify({ k: "marketplace:popular", s: "x" }))]) {
      const res = await api("GET", `/v1/marketplace?cursor=${encodeURIComponent(cursor)}`, { token: user.token });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { issues: [{ path: "cursor" }] } });
    }
    const search = await api("GET", "/v1/marketplace/search?q=x&cursor=garbage", { token: user.token });
    expect(search.status).toBe(400);
    expect(search.body.error.details.issues[0].path).toBe("cursor");
  });

  it("drops a workflow the moment it turns private and shows it again when public", async () => {
    const category = uniqueCategory();
    const word = uniqueWord("vanish");
    const owner = await newUser("owner");
    const viewer = await newUser("viewer");
    const wf = await createWorkflow(owner.token, { name: `Flow ${word}`, visibility: "public", category });
    expect((await browse(viewer.token, `category=${category}`)).data).toHaveLength(1);
    expect((await search(viewer.token, word)).body.data).toHaveLength(1);

    await updateWorkflow(owner.token, wf.workflowId, { visibility: "private" });
    expect((await browse(viewer.token, `category=${category}`)).data).toEqual([]);
    expect((await search(viewer.token, word)).body.data).toEqual([]);
    expect((await browse(owner.token, `category=${category}`)).data).toEqual([]);

    await updateWorkflow(owner.token, wf.workflowId, { visibility: "public" });
    expect((await browse(viewer.token, `category=${category}`)).data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    expect((await search(viewer.token, word)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);

    await api("DELETE", `/v1/workflows/${wf.workflowId}`, { token: owner.token });
    expect((await browse(viewer.token, `category=${category}`)).data).toEqual([]);
    expect((await search(viewer.token, word)).body.data).toEqual([]);
  });
});

describe("GET /v1/marketplace/search", () => {
  it("finds public workflows by name, description, tags and step names", async () => {
    const owner = await newUser("owner");
    const [inName, inDescription, inTag, inStep] = ["name", "desc", "tag", "step"].map(uniqueWord) as [string, string, string, string];
    const byName = await createWorkflow(owner.token, { name: `Deploy ${inName}`, visibility: "public" });
    const byDescription = await createWorkflow(owner.token, { description: `Handles ${inDescription} nicely`, visibility: "public" });
    const byTag = await createWorkflow(owner.token, { tags: ["x", inTag], visibility: "public" });
    const byStep = await createWorkflow(owner.token, { manifest: manifestWithFirstStep(`Check ${inStep} first`), visibility: "public" });
    await createWorkflow(owner.token, { name: `Hidden ${inName}`, visibility: "private" });

    for (const [word, wf] of [
      [inName, byName],
      [inDescription, byDescription],
      [inTag, byTag],
      [inStep, byStep],
    ] as const) {
      const res = await search(owner.token, word);
      expect(res.status).toBe(200);
      expect(res.body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
      expect(res.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 1 });
    }
    const item = (await search(owner.token, inName)).body.data[0];
    expect(item).toMatchObject({ ownerId: owner.sub, ownerName: owner.sub, currentVersion: "1.0.0", stats: { subscribers: 0 } });
    expect(JSON.stringify(item)).not.toContain(owner.email);
  });

  it("is case-insensitive, ANDs words, matches prefixes of the last word and ranks name matches first", async () => {
    const owner = await newUser("owner");
    const word = uniqueWord("rank");
    const other = uniqueWord("other");
    const inStep = await createWorkflow(owner.token, {
      name: "Plain",
      manifest: manifestWithFirstStep(`Step about ${word}`),
      visibility: "public",
    });
    const inName = await createWorkflow(owner.token, { name: `${word} ${other} Helper`, visibility: "public" });
    const res = await search(owner.token, word.toUpperCase());
    expect(res.body.data.map((w: any) => w.workflowId)).toEqual([inName.workflowId, inStep.workflowId]);
    expect((await search(owner.token, `${word} ${other}`)).body.data.map((w: any) => w.workflowId)).toEqual([inName.workflowId]);
    expect((await search(owner.token, `${word} ${other.slice(0, 6)}`)).body.data.map((w: any) => w.workflowId)).toEqual([
      inName.workflowId,
    ]);
  });

  it("tracks manifest updates: old step names stop matching, new ones match", async () => {
    const owner = await newUser("owner");
    const before = uniqueWord("before");
    const after = uniqueWord("after");
    const wf = await createWorkflow(owner.token, { manifest: manifestWithFirstStep(`Run ${before}`), visibility: "public" });
    expect((await search(owner.token, before)).body.data).toHaveLength(1);
    await updateWorkflow(owner.token, wf.workflowId, { manifest: manifestWithFirstStep(`Run ${after}`) });
    expect((await search(owner.token, before)).body.data).toEqual([]);
    expect((await search(owner.token, after)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    const renamed = uniqueWord("renamed");
    await updateWorkflow(owner.token, wf.workflowId, { name: `Now ${renamed}`, tags: [renamed] });
    expect((await search(owner.token, renamed)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    // Forks are private copies, so they do not show up.
    await api("POST", `/v1/workflows/${wf.workflowId}/fork`, { token: owner.token });
    expect((await search(owner.token, renamed)).body.data).toHaveLength(1);
  });

  it("rejects an empty, blank, missing or over-long q with 400", async () => {
    const user = await newUser();
    for (const path of ["/v1/marketplace/search?q=", "/v1/marketplace/search?q=%20%20", "/v1/marketplace/search"]) {
      const res = await api("GET", path, { token: user.token });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
      expect(res.body.error.details.issues[0].path).toBe("q");
    }
    const long = await search(user.token, "a".repeat(201));
    expect(long.status).toBe(400);
    expect(long.body.error.details.issues[0].path).toBe("q");
    expect((await search(user.token, "a".repeat(200))).status).toBe(200);
    // Characters, not UTF-16 units: 200 emoji fit, 201 do not; surrounding blanks are trimmed first.
    expect((await search(user.token, "\u{1F600}".repeat(200))).status).toBe(200);
    expect((await search(user.token, "\u{1F600}".repeat(201))).status).toBe(400);
    expect((await search(user.token, `  ${"a".repeat(200)}  `)).status).toBe(200);
  });

  it("never fails on FTS syntax or odd input", async () => {
    const owner = await newUser("owner");
    const word = uniqueWord("hostile");
    const wf = await createWorkflow(owner.token, { name: `Quote ${word} test`, visibility: "public" });
    const hostile = [
      '"',
      '""',
      `"${word}`,
      `${word}"`,
      "*",
      `${word}*`,
      "NEAR",
      `NEAR(${word} test)`,
      `${word} AND`,
      "AND OR NOT",
      `${word} OR`,
      "(",
      ")",
      `(${word}`,
      "-",
      `-${word}`,
      `${word} -test`,
      "^",
      `name:${word}`,
      "{name description}: x",
      "'; DROP TABLE workflows; --",
      "\u0000",
      "ünïcödé 日本語 🚀",
      "\\",
      "+ - * / % !",
      "a".repeat(200),
    ];
    for (const q of hostile) {
      const res = await search(owner.token, q);
      expect(res.status, q).toBe(200);
      expect(res.body.success, q).toBe(true);
      expect(Array.isArray(res.body.data), q).toBe(true);
    }
    // Operators are just words: they narrow nothing and break nothing.
    expect((await search(owner.token, `"${word}"`)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    expect((await search(owner.token, `${word}*`)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    expect((await search(owner.token, `(${word})`)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    // "AND" is the plain word "and", which this workflow's description contains; "NEAR" is not there.
    expect((await search(owner.token, `${word} AND`)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    expect((await search(owner.token, `${word} NEAR`)).body.data).toEqual([]);
    expect((await search(owner.token, "*")).body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 0 });
  });

  it("finds accented and non-Latin words", async () => {
    const owner = await newUser("owner");
    const word = uniqueWord("cafe");
    const wf = await createWorkflow(owner.token, { name: `Crème ${word}é 日本語`, visibility: "public" });
    expect((await search(owner.token, `creme ${word}e`)).body.data.map((w: any) => w.workflowId)).toEqual([wf.workflowId]);
    expect((await search(owner.token, "日本語")).body.data.map((w: any) => w.workflowId)).toContain(wf.workflowId);
  });

  it("pages results by relevance without duplicates or gaps, and filters by category", async () => {
    const owner = await newUser("owner");
    const word = uniqueWord("pager");
    const category = uniqueCategory();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = i % 2 === 0 ? `${word} Flow ${i}` : `Flow ${i}`;
      const wf = await createWorkflow(owner.token, {
        name,
        description: `About ${word}`,
        category: i < 3 ? category : "other",
        visibility: "public",
        manifest: bugFixManifest(name),
      });
      created.push(wf.workflowId);
    }
    const full = (await search(owner.token, word, "&limit=100")).body.data.map((w: any) => w.workflowId);
    expect([...full].sort()).toEqual([...created].sort());
    // Name matches rank above description-only matches.
    const nameMatches = new Set([0, 2, 4, 6].map((i) => created[i]));
    expect(full.slice(0, 4).every((id: string) => nameMatches.has(id))).toBe(true);
    for (const limit of [1, 3]) {
      expect(await collectPages(owner.token, `/v1/marketplace/search?q=${word}`, limit)).toEqual(full);
    }
    const filtered = (await search(owner.token, word, `&category=${category}`)).body.data.map((w: any) => w.workflowId);
    expect([...filtered].sort()).toEqual(created.slice(0, 3).sort());
    const bad = await search(owner.token, word, "&cursor=nope");
    expect(bad.status).toBe(400);
  });
});

describe("GET /v1/marketplace/featured", () => {
  it("puts operator-flagged workflows first, then the best rated with enough recent votes", async () => {
    const owner = await newUser("owner");
    const flagged = await createWorkflow(owner.token, { name: "Flagged", visibility: "public" });
    const flaggedPrivate = await createWorkflow(owner.token, { name: "Flagged private", visibility: "private" });
    const topRated = await createWorkflow(owner.token, { name: "Top rated", visibility: "public" });
    const fewVotes = await createWorkflow(owner.token, { name: "Few votes", visibility: "public" });
    const stale = await createWorkflow(owner.token, { name: "Stale", visibility: "public" });
    await env.DB.prepare("UPDATE workflows SET featured = 1 WHERE id IN (?, ?)").bind(flagged.workflowId, flaggedPrivate.workflowId).run();
    await setCounters(topRated.workflowId, { ratingSum: 1000, ratingCount: 200 });
    await setCounters(fewVotes.workflowId, { ratingSum: 10, ratingCount: 2 });
    await setCounters(stale.workflowId, { ratingSum: 1000, ratingCount: 200 });
    await env.DB.prepare("UPDATE workflows SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = ?").bind(stale.workflowId).run();

    const res = await api("GET", "/v1/marketplace/featured?limit=20", { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    const ids = res.body.data.map((w: any) => w.workflowId);
    expect(ids).toContain(flagged.workflowId);
    expect(ids).toContain(topRated.workflowId);
    expect(ids).not.toContain(flaggedPrivate.workflowId);
    expect(ids).not.toContain(fewVotes.workflowId);
    expect(ids).not.toContain(stale.workflowId);
    const flaggedItem = res.body.data.find((w: any) => w.workflowId === flagged.workflowId);
    expect(flaggedItem).toMatchObject({ featured: true, featuredReason: "operator", ownerName: owner.sub });
    const topItem = res.body.data.find((w: any) => w.workflowId === topRated.workflowId);
    expect(topItem).toMatchObject({ featured: false, featuredReason: "top_rated", stats: { rating: 5, ratingCount: 200 } });
    expect(ids.indexOf(flagged.workflowId)).toBeLessThan(ids.indexOf(topRated.workflowId));
    // Every operator pick precedes every top-rated pick.
    const reasons = res.body.data.map((w: any) => w.featuredReason);
    expect(reasons).toEqual([...reasons].sort());

    expect((await api("GET", "/v1/marketplace/featured?limit=0", { token: owner.token })).status).toBe(400);
    expect((await api("GET", "/v1/marketplace/featured?limit=1", { token: owner.token })).body.data).toHaveLength(1);
  });

  it("also features the ids listed in FEATURED_WORKFLOW_IDS", async () => {
    const owner = await newUser("owner");
    const picked = await createWorkflow(owner.token, { name: "Config pick", visibility: "public" });
    const app = createApp();
    const res = await readResponse(
      await app.fetch(request("GET", "/v1/marketplace/featured?limit=20", { token: owner.token }), {
        ...env,
        FEATURED_WORKFLOW_IDS: ` ${picked.workflowId} , wf_missing`,
      }),
    );
    expect(res.status).toBe(200);
    const item = res.body.data.find((w: any) => w.workflowId === picked.workflowId);
    expect(item).toMatchObject({ featured: true, featuredReason: "operator" });
    const withoutConfig = await api("GET", "/v1/marketplace/featured?limit=20", { token: owner.token });
    expect(withoutConfig.body.data.map((w: any) => w.workflowId)).not.toContain(picked.workflowId);
  });
});
