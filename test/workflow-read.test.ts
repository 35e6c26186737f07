import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/db/client";
import { getManifest, getVisibleWorkflow, getVisibleWorkflowDetail } from "../src/workflows/access";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { createWorkflow, manifestWithFirstStep, updateWorkflow } from "./helpers/workflows";

/** GET /v1/workflows/{id} reads with hand-written SQL; it must answer what drizzle's reads of the schema answer. */
describe("the workflow detail read", () => {
  it("returns the same row and current manifest as drizzle's reads, for every column kind", async () => {
    const owner = await newUser("owner");
    const forker = await newUser("forker");
    const source = await createWorkflow(owner.token, { visibility: "public", tags: ["triage", "ci"], category: "devops", description: "d" });
    await updateWorkflow(owner.token, source.workflowId, { manifest: manifestWithFirstStep("Reproduce it again") });
    const fork = (await api("POST", `/v1/workflows/${source.workflowId}/fork`, { token: forker.token, body: {} })).body.data;
    await env.DB.prepare("UPDATE workflows SET featured = 1, rating_sum = 9, rating_count = 2 WHERE id = ?").bind(source.workflowId).run();

    const db = createDatabase(env.DB);
    for (const [id, reader] of [[source.workflowId, owner.sub], [fork.workflowId, forker.sub]] as const) {
      const expectedRow = await getVisibleWorkflow(db, id, reader);
      const expectedManifest = await getManifest(db, id, expectedRow.currentVersion);
      expect(await getVisibleWorkflowDetail(db, id, reader)).toEqual({ row: expectedRow, manifest: expectedManifest });
    }
    expect((await getVisibleWorkflowDetail(db, fork.workflowId, forker.sub)).row.forkedFromWorkflowId).toBe(source.workflowId);
    expect((await getVisibleWorkflowDetail(db, source.workflowId, owner.sub)).row).toMatchObject({ featured: true, tags: ["triage", "ci"], currentVersion: "1.0.1" });
  });

  it("keeps a private workflow invisible (404) to everyone but its owner", async () => {
    const owner = await newUser("owner");
    const other = await newUser("other");
    const wf = await createWorkflow(owner.token);
    expect((await api("GET", `/v1/workflows/${wf.workflowId}`, { token: other.token })).status).toBe(404);
    const mine = await api("GET", `/v1/workflows/${wf.workflowId}`, { token: owner.token });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toMatchObject({ workflowId: wf.workflowId, ownerId: owner.sub, forkedFrom: null, manifest: wf.manifest });
  });
});
