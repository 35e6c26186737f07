import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { createWorkflow, manifestWithFirstStep } from "./helpers/workflows";

type Put = { status: number; body: any };

/** Every stored version of a workflow, straight from D1 (what the API lists must be all there is). */
async function storedVersions(workflowId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "select version from workflow_versions where workflow_id = ? order by major desc, minor desc, patch desc",
  )
    .bind(workflowId)
    .all<{ version: string }>();
  return results.map((r) => r.version);
}

/** A linear history: 1.0.0 plus exactly one version per 200, none for a 409, current = newest. */
async function expectLinearHistory(token: string, workflowId: string, puts: Put[], requested: (i: number) => string | null) {
  for (const put of puts) expect([200, 409], JSON.stringify(put.body)).toContain(put.status);
  const accepted = puts.flatMap((p, i) => (p.status === 200 ? [{ version: p.body.data.currentVersion as string, i }] : []));
  expect(accepted.length).toBeGreaterThan(0);
  for (const { version, i } of accepted) {
    const wanted = requested(i);
    if (wanted) expect(version).toBe(wanted);
  }
  const stored = await storedVersions(workflowId);
  expect(new Set(stored).size).toBe(stored.length);
  expect([...stored].sort()).toEqual(["1.0.0", ...accepted.map((a) => a.version)].sort());
  for (const [i, put] of puts.entries()) {
    const wanted = requested(i);
    if (put.status === 409 && wanted) expect(stored).not.toContain(wanted);
  }

  const listed = await api("GET", `/v1/workflows/${workflowId}/versions`, { token });
  expect(listed.body.data.map((v: { version: string }) => v.version)).toEqual(stored);
  const detail = await api("GET", `/v1/workflows/${workflowId}`, { token });
  expect(detail.body.data.currentVersion).toBe(stored[0]);
  const newest = await api("GET", `/v1/workflows/${workflowId}/versions/${stored[0]}`, { token });
  expect(newest.status).toBe(200);
  expect(detail.body.data.manifest).toEqual(newest.body.data.manifest);
}

describe("parallel PUTs keep a linear version history", () => {
  it("three explicit versions at once: each 200 stored, each 409 stored nothing", async () => {
    const owner = await newUser("owner");
    for (let trial = 0; trial < 5; trial++) {
      const wf = await createWorkflow(owner.token);
      const versions = ["2.0.0", "3.0.0", "4.0.0"];
      const puts = await Promise.all(
        versions.map((version) =>
          api("PUT", `/v1/workflows/${wf.workflowId}`, { token: owner.token, body: { version, manifest: manifestWithFirstStep(`v${version}`) } }),
        ),
      );
      await expectLinearHistory(owner.token, wf.workflowId, puts, (i) => versions[i]!);
    }
  });

  it("50 parallel PUTs with explicit versions", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const version = (i: number) => `1.${i + 1}.0`;
    const puts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api("PUT", `/v1/workflows/${wf.workflowId}`, { token: owner.token, body: { version: version(i), manifest: manifestWithFirstStep(`step ${i}`) } }),
      ),
    );
    await expectLinearHistory(owner.token, wf.workflowId, puts, version);
  });

  it("50 parallel PUTs without versions (patch bumps)", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const puts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api("PUT", `/v1/workflows/${wf.workflowId}`, { token: owner.token, body: { manifest: manifestWithFirstStep(`step ${i}`) } }),
      ),
    );
    await expectLinearHistory(owner.token, wf.workflowId, puts, () => null);
  });

  it("50 parallel PUTs mixing explicit versions, patch bumps and metadata-only edits", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token);
    const body = (i: number) =>
      i % 3 === 0
        ? { version: `${i + 2}.0.0`, manifest: manifestWithFirstStep(`step ${i}`) }
        : i % 3 === 1
          ? { manifest: manifestWithFirstStep(`step ${i}`) }
          : { description: `edit ${i}` };
    const puts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api("PUT", `/v1/workflows/${wf.workflowId}`, { token: owner.token, body: body(i) })),
    );
    for (const put of puts) expect([200, 409]).toContain(put.status);
    const versioned = puts.filter((p, i) => i % 3 !== 2);
    const versionOf = (i: number) => (i % 3 === 0 ? `${i + 2}.0.0` : null);
    // Metadata-only edits store no version: check the history over the versioning PUTs only.
    await expectLinearHistory(owner.token, wf.workflowId, versioned, (j) => versionOf([...puts.keys()].filter((i) => i % 3 !== 2)[j]!));
  });
});
