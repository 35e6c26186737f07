import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RunJournal } from "../src/runtime/run/journal";
import { RUN_STATE_VERSION, upgradeRunState } from "../src/runtime/run/stored-state";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, rpc, runObject, status, step } from "./helpers/runtime";

/** A state as version 1 stored it: no version field, one `pendingApproval`, no actions, alarm or DNS setting. */
function asVersion1(state: any) {
  const { version: _version, pendingApprovals, actions: _actions, alarm: _alarm, ...rest } = state;
  const { dohUrl: _dohUrl, ...settings } = state.settings;
  return { ...rest, settings, pendingApproval: pendingApprovals[0] ?? null };
}

describe("the run state's schema version", () => {
  it("a new run stores the current version", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;
    const stored = await runInDurableObject(runObject(runId) as unknown as DurableObjectStub, async (_obj, state) => state.storage.kv.get<any>("state"));
    expect(stored.version).toBe(RUN_STATE_VERSION);
  });

  it("upgrades a version-1 state step by step, filling in what it lacked", () => {
    const v1 = {
      id: "r1",
      userId: "u1",
      settings: { stepDelayMs: 20, approvalTtlSeconds: 300, actionLeaseSeconds: 300, publicBaseUrl: null, llm: null },
      pendingApproval: { approval_id: "apr_1", step_id: "s1" },
    };
    const upgraded = upgradeRunState(structuredClone(v1) as any) as any;
    expect(upgraded).toMatchObject({ version: RUN_STATE_VERSION, pendingApprovals: [{ approval_id: "apr_1", step_id: "s1" }], actions: [], alarm: null });
    expect(upgraded.settings.dohUrl).toBeNull();
    expect("pendingApproval" in upgraded).toBe(false);
    const none = upgradeRunState({ ...structuredClone(v1), pendingApproval: null } as any);
    expect(none.pendingApprovals).toEqual([]);
  });

  it("a run stored by version 1 loads, answers status, takes its approval and finishes", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Run `npm test`" })).body.result.run_id;
    const waiting = await driveRun(user.token, runId, { stopAtApproval: true });
    const approval = waiting.pending_approval;
    expect(approval).toMatchObject({ action: "execute_command" });
    expect(waiting.actions).toEqual([]);

    // The object's storage now holds what version 1 wrote; the object loads it as on a restart.
    await runInDurableObject(runObject(runId) as unknown as DurableObjectStub, async (obj, state) => {
      state.storage.kv.put("state", asVersion1(state.storage.kv.get("state")));
      (obj as any).run.state = new RunJournal(state.storage, env).loadState();
    });

    const loaded = await status(user.token, runId);
    expect(loaded.pending_approval).toEqual(approval);
    expect(loaded.pending_approvals).toEqual([approval]);
    const approved = await rpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "approved" });
    expect(approved.body.result).toMatchObject({ success: true, decision: "approved" });
    await step(runId);
    const finished = await driveRun(user.token, runId);
    expect(finished.status).toBe("completed");
    const stored = await runInDurableObject(runObject(runId) as unknown as DurableObjectStub, async (_obj, state) => state.storage.kv.get<any>("state"));
    expect(stored.version).toBe(RUN_STATE_VERSION); // written back in the current shape
    expect(stored.pendingApproval).toBeUndefined();
  });
});
