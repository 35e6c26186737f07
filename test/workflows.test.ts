import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { bugFixManifest, workflowBody } from "./helpers/fixtures";
import { api } from "./helpers/http";
import { createWorkflow } from "./helpers/workflows";


describe("POST /v1/workflows", () => {
  it("creates version 1.0.0 with the seed's fields", async () => {
    const user = await newUser();
    const res = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ visibility: "public" }) });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    const wf = res.body.data;
    expect(wf.workflowId).toMatch(/^wf_[A-Za-z0-9]{16}$/);
    expect(wf).toMatchObject({
      name: "Bug Fix Workflow",
      description: "Find and fix bugs",
      visibility: "public",
      category: "development",
      tags: ["bug-fix", "testing"],
      currentVersion: "1.0.0",
      stats: { forks: 0, subscribers: 0, rating: null, ratingCount: 0 },
      manifest: bugFixManifest(),
    });
    expect(wf.createdAt).toBe(wf.updatedAt);

    const got = await api("GET", `/v1/workflows/${wf.workflowId}`, { token: user.token });
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(wf);

    const me = await api("GET", "/v1/users/me", { token: user.token });
    expect(me.body.data.workflowCount).toBe(1);
  });

  it("defaults to private with no category or tags", async () => {
    const user = await newUser();
    const res = await api("POST", "/v1/workflows", { token: user.token, body: { name: "Tiny", manifest: bugFixManifest("Tiny") } });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ visibility: "private", category: null, tags: [], description: null });
  });
});

describe("manifest validation", () => {
  const cases: Array<[string, (m: any) => void, RegExp, RegExp]> = [
    ["unknown action", (m) => (m.steps[0].action = "teleport"), /^manifest\.steps\.0\.action$/, /unknown action 'teleport'/],
    ["duplicate step id", (m) => (m.steps[1].id = "understand_bug"), /^manifest\.steps\.1\.id$/, /duplicate step id/],
    ["depends_on a missing step", (m) => (m.steps[2].depends_on = ["ghost"]), /^manifest\.steps\.2\.depends_on\.0$/, /missing step 'ghost'/],
    ["dependency cycle", (m) => (m.steps[0].depends_on = ["review_and_commit"]), /^manifest\.steps\.\d\.depends_on$/, /cycle/],
    ["non-snake_case id", (m) => (m.steps[0].id = "UnderstandBug"), /^manifest\.steps\.0\.id$/, /snake_case/],
    ["name over 200 characters", (m) => (m.name = "n".repeat(201)), /^manifest\.name$/, /200/],
    ["wrong manifest_version", (m) => (m.manifest_version = "2.0"), /^manifest\.manifest_version$/, /1\.0/],
  ];
  for (const [label, mutate, pathPattern, messagePattern] of cases) {
    it(`rejects ${label} with the path of the problem`, async () => {
      const user = await newUser();
      const manifest: any = bugFixManifest();
      mutate(manifest);
      const res = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ manifest }) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
      const issue = res.body.error.details.issues.find((i: any) => pathPattern.test(i.path));
      expect(issue, JSON.stringify(res.body.error.details)).toBeDefined();
      expect(issue.message).toMatch(messagePattern);
      const list = await api("GET", "/v1/workflows", { token: user.token });
      expect(list.body.data).toEqual([]);
    });
  }
});

describe("manifest validation, several problems at once", () => {
  it("lists every offending path in one response, graph problems included", async () => {
    const user = await newUser();
    const manifest: any = bugFixManifest();
    manifest.steps = [
      { id: "First", name: "bad id", action: "code_agent" },
      { id: "second", name: "bad action", action: "teleport" },
      { id: "third", name: "missing dependency", action: "code_agent", depends_on: ["ghost"] },
      { id: "second", name: "duplicate and bad action", action: "warp" },
      { id: "fifth", name: "n".repeat(201), action: "code_agent" },
    ];
    const res = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ manifest }) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "manifest.steps.0.id",
        "manifest.steps.1.action",
        "manifest.steps.2.depends_on.0",
        "manifest.steps.3.id",
        "manifest.steps.3.action",
        "manifest.steps.4.name",
      ]),
    );
  });

  it("reports a cycle next to another step's unknown action", async () => {
    const user = await newUser();
    const manifest: any = bugFixManifest();
    manifest.steps[0].depends_on = ["review_and_commit"];
    manifest.steps[3].action = "teleport";
    const res = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ manifest }) });
    expect(res.status).toBe(400);
    const messages = res.body.error.details.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^manifest\.steps\.3\.action: unknown action/), expect.stringMatching(/depends_on: dependency cycle/)]),
    );
  });
});

describe("PUT /v1/workflows/{id} and versions", () => {
  it("bumps the patch on a changed manifest, honours an explicit greater version, and keeps versions immutable", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    const changed = bugFixManifest();
    changed.steps[0]!.name = "Reproduce the bug";

    const bumped = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
      token: user.token,
      body: { ...workflowBody(), manifest: changed, changelog: "Reproduce first" },
    });
    expect(bumped.status).toBe(200);
    expect(bumped.body.data.currentVersion).toBe("1.0.1");
    expect(bumped.body.data.manifest.steps[0].name).toBe("Reproduce the bug");

    const sameManifest = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
      token: user.token,
      body: { ...workflowBody({ description: "Only the description changed" }), manifest: changed },
    });
    expect(sameManifest.body.data.currentVersion).toBe("1.0.1");
    expect(sameManifest.body.data.description).toBe("Only the description changed");

    const explicit = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
      token: user.token,
      body: { ...workflowBody(), manifest: bugFixManifest("v2"), version: "2.0.0", changelog: "Major" },
    });
    expect(explicit.body.data.currentVersion).toBe("2.0.0");

    for (const stale of ["2.0.0", "1.9.9"]) {
      const conflict = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
        token: user.token,
        body: { ...workflowBody(), manifest: bugFixManifest("v3"), version: stale },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({ code: "CONFLICT", details: { currentVersion: "2.0.0" } });
    }

    const versions = await api("GET", `/v1/workflows/${wf.workflowId}/versions`, { token: user.token });
    expect(versions.status).toBe(200);
    for (const entry of versions.body.data) expect(Object.keys(entry).sort()).toEqual(["changelog", "createdAt", "version"]);
    expect(versions.body.data.map((v: any) => [v.version, v.changelog])).toEqual([
      ["2.0.0", "Major"],
      ["1.0.1", "Reproduce first"],
      ["1.0.0", null],
    ]);

    const old = await api("GET", `/v1/workflows/${wf.workflowId}/versions/1.0.0`, { token: user.token });
    expect(old.status).toBe(200);
    expect(old.body.data).toEqual({
      workflowId: wf.workflowId,
      version: "1.0.0",
      manifest: bugFixManifest(),
      changelog: null,
      createdAt: wf.createdAt,
    });
    const missing = await api("GET", `/v1/workflows/${wf.workflowId}/versions/9.9.9`, { token: user.token });
    expect(missing.status).toBe(404);
  });

  it("orders versions numerically, not as text", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    for (const version of ["1.2.0", "1.10.0"]) {
      const res = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
        token: user.token,
        body: { manifest: bugFixManifest(`v${version}`), version },
      });
      expect(res.status).toBe(200);
    }
    const versions = await api("GET", `/v1/workflows/${wf.workflowId}/versions`, { token: user.token });
    expect(versions.body.data.map((v: any) => v.version)).toEqual(["1.10.0", "1.2.0", "1.0.0"]);
  });

  it("rejects an invalid manifest or version without changing anything", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    const bad = await api("PUT", `/v1/workflows/${wf.workflowId}`, {
      token: user.token,
      body: { manifest: { ...bugFixManifest(), steps: [] }, version: "one" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(["manifest.steps", "version"]));
    const after = await api("GET", `/v1/workflows/${wf.workflowId}`, { token: user.token });
    expect(after.body.data).toEqual(wf);
  });
});

describe("access control", () => {
  it("hides private workflows from others (404) and forbids changing public ones (403)", async () => {
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const priv = await createWorkflow(alice.token, { visibility: "private" });
    const pub = await createWorkflow(alice.token, { visibility: "public", name: "Shared" });

    for (const [method, body] of [["GET", undefined], ["PUT", workflowBody()], ["DELETE", undefined]] as const) {
      const res = await api(method, `/v1/workflows/${priv.workflowId}`, { token: bob.token, body });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
    }
    expect((await api("GET", `/v1/workflows/${priv.workflowId}/versions`, { token: bob.token })).status).toBe(404);
    expect((await api("GET", `/v1/workflows/${priv.workflowId}/versions/1.0.0`, { token: bob.token })).status).toBe(404);

    const read = await api("GET", `/v1/workflows/${pub.workflowId}`, { token: bob.token });
    expect(read.status).toBe(200);
    expect(read.body.data.name).toBe("Shared");
    for (const [method, body] of [["PUT", workflowBody({ name: "Hijacked" })], ["DELETE", undefined]] as const) {
      const res = await api(method, `/v1/workflows/${pub.workflowId}`, { token: bob.token, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
    }
    const unchanged = await api("GET", `/v1/workflows/${pub.workflowId}`, { token: alice.token });
    expect(unchanged.body.data.name).toBe("Shared");

    const bobList = await api("GET", "/v1/workflows", { token: bob.token });
    expect(bobList.body.data).toEqual([]);
  });

  it("DELETE removes the workflow and its versions", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    const res = await api("DELETE", `/v1/workflows/${wf.workflowId}`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { workflowId: wf.workflowId, deleted: true } });
    expect((await api("GET", `/v1/workflows/${wf.workflowId}`, { token: user.token })).status).toBe(404);
    const versions = await env.DB.prepare("SELECT count(*) AS n FROM workflow_versions WHERE workflow_id = ?")
      .bind(wf.workflowId)
      .first<{ n: number }>();
    expect(versions?.n).toBe(0);
    expect((await api("DELETE", `/v1/workflows/${wf.workflowId}`, { token: user.token })).status).toBe(404);
  });
});

describe("GET /v1/workflows pagination", () => {
  it("pages through every workflow once, newest first, stable under concurrent inserts", async () => {
    const user = await newUser();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createWorkflow(user.token, { name: `WF ${i}`, visibility: i % 2 ? "public" : "private" })).workflowId);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await api("GET", `/v1/workflows${qs}`, { token: user.token });
      expect(page.status).toBe(200);
      expect(page.body.pagination.count).toBe(page.body.data.length);
      seen.push(...page.body.data.map((w: any) => w.workflowId));
      cursor = page.body.pagination.nextCursor;
      expect(page.body.pagination.hasMore).toBe(cursor !== null);
      if (pages === 0) await createWorkflow(user.token, { name: "Inserted while paging" });
      pages++;
    } while (cursor);

    expect(pages).toBe(3);
    // Every workflow exactly once; the one inserted mid-way is newer than the cursor, so not in this walk.
    expect([...seen].sort()).toEqual([...created].sort());
    expect(new Set(seen).size).toBe(seen.length);

    const publicOnly = await api("GET", "/v1/workflows?visibility=public&limit=100", { token: user.token });
    expect(publicOnly.body.data.every((w: any) => w.visibility === "public")).toBe(true);
    expect(publicOnly.body.data).toHaveLength(3);
  });

  it("returns 20 by default and up to 100 on request", async () => {
    const user = await newUser();
    for (let i = 0; i < 21; i++) await createWorkflow(user.token, { name: `WF ${i}` });
    const first = await api("GET", "/v1/workflows", { token: user.token });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(20);
    expect(first.body.pagination).toEqual({ nextCursor: expect.any(String), hasMore: true, count: 20 });
    expect(first.headers.get("X-RateLimit-Remaining")).toMatch(/^\d+$/);
    const rest = await api("GET", `/v1/workflows?cursor=${encodeURIComponent(first.body.pagination.nextCursor)}`, { token: user.token });
    const names = [...first.body.data, ...rest.body.data].map((w: any) => w.name);
    expect(new Set(names).size).toBe(21);
    expect(rest.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 1 });
    const max = await api("GET", "/v1/workflows?limit=100", { token: user.token });
    expect(max.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 21 });
  });

  it("validates limit, visibility and cursor", async () => {
    const user = await newUser();
    for (const qs of ["limit=0", "limit=101", "limit=abc", "visibility=secret", "cursor=garbage"]) {
      const res = await api("GET", `/v1/workflows?${qs}`, { token: user.token });
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    const defaults = await api("GET", "/v1/workflows", { token: user.token });
    expect(defaults.body.pagination).toEqual({ nextCursor: null, hasMore: false, count: 0 });
  });
});
