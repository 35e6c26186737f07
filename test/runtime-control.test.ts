import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, names, openStream, readEvents, rpc, status, step } from "./helpers/runtime";

async function startManual(token: string, intent = "Research the billing flow") {
  return (await manualRpc(token, "hydra.run", { intent })).body.result.run_id as string;
}

describe("hydra.cancel", () => {
  it("stops a run mid-way: remaining steps skipped, status cancelled, no further progress", async () => {
    const user = await newUser();
    const runId = await startManual(user.token);
    await step(runId, 3); // perceive, think, decide
    const res = await rpc(user.token, "hydra.cancel", { run_id: runId });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ success: true, run_id: runId, status: "cancelled" });

    const run = await status(user.token, runId);
    expect(run.status).toBe("cancelled");
    expect(run.steps.slice(0, 3).map((s: any) => s.status)).toEqual(["completed", "completed", "completed"]);
    expect(run.steps.slice(3).map((s: any) => [s.status, s.outcome])).toEqual([
      ["skipped", "cancelled"],
      ["skipped", "cancelled"],
      ["skipped", "cancelled"],
    ]);
    expect(await step(runId)).toBe(false); // no alarm left
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(events.at(-2)).toMatchObject({ event: "run_cancelled", data: { run_id: runId, reason: "Cancelled by user", level: "cancel" } });
    expect(names(events)).not.toContain("run_completed");

    const again = await rpc(user.token, "hydra.cancel", { run_id: runId });
    expect(again.body.error).toMatchObject({ code: -32602, data: { reason: "not_active", status: "cancelled" } });
  });

  it("cancels a run waiting for approval; the approval is then no longer pending", async () => {
    const user = await newUser();
    const runId = await startManual(user.token, "Add the missing tests");
    const waiting = await driveRun(user.token, runId, { stopAtApproval: true });
    await rpc(user.token, "hydra.cancel", { run_id: runId, reason: "changed my mind" });
    const run = await status(user.token, runId);
    expect(run).toMatchObject({ status: "cancelled", error: "changed my mind", pending_approval: null });
    const late = await rpc(user.token, "hydra.approve", { approval_id: waiting.pending_approval.approval_id, decision: "approved" });
    expect(late.body.error).toMatchObject({ code: -32602, data: { reason: "not_pending" } });
  });
});

describe("hydra.kill", () => {
  it("instant stops every active run of the caller and only the caller's", async () => {
    const user = await newUser();
    const bystander = await newUser();
    const a = await startManual(user.token);
    const b = await startManual(user.token);
    await step(a, 2);
    const other = await startManual(bystander.token);
    const res = await rpc(user.token, "hydra.kill", { level: "instant", reason: "panic" });
    expect(res.body.result).toEqual({ success: true, level: "instant", cancelled_runs: 2 });
    expect((await status(user.token, a)).status).toBe("cancelled");
    expect((await status(user.token, b)).status).toBe("cancelled");
    expect((await status(bystander.token, other)).status).toBe("running");
    const none = await rpc(user.token, "hydra.kill", { level: "instant" });
    expect(none.body.result.cancelled_runs).toBe(0);
  });

  it("graceful stops a run at its phase boundary (waiting for approval stops at once)", async () => {
    const user = await newUser();
    const waitingRun = await startManual(user.token, "Add the missing tests");
    await driveRun(user.token, waitingRun, { stopAtApproval: true });
    const idleRun = await startManual(user.token);
    await step(idleRun);
    const res = await rpc(user.token, "hydra.kill", {});
    expect(res.body.result).toEqual({ success: true, level: "graceful", cancelled_runs: 2 });
    const stopped = await status(user.token, idleRun);
    expect(stopped.status).toBe("cancelled");
    expect(stopped.steps[0]).toMatchObject({ phase: "perceive", status: "completed" }); // the finished phase stays done
    expect((await status(user.token, waitingRun)).status).toBe("cancelled");
    const { events } = await readEvents(await openStream(user.token, `/runs/${idleRun}/events`), () => false);
    expect(events.find((e) => e.event === "run_cancelled")?.data).toEqual({ run_id: idleRun, reason: "Kill switch (graceful)", level: "graceful" });
  });

  it("freeze pauses durably, keeps an approval given while frozen, and resume completes the run", async () => {
    const user = await newUser();
    const runId = await startManual(user.token, "Add the missing tests");
    const waiting = await driveRun(user.token, runId, { stopAtApproval: true });
    const frozen = await rpc(user.token, "hydra.kill", { level: "freeze", reason: "lunch" });
    expect(frozen.body.result).toEqual({ success: true, level: "freeze", cancelled_runs: 1 });
    expect((await status(user.token, runId)).status).toBe("frozen");
    expect(await step(runId)).toBe(false); // no alarm: nothing moves, not even the approval expiry

    const approved = await rpc(user.token, "hydra.approve", { approval_id: waiting.pending_approval.approval_id, decision: "approved" });
    expect(approved.body.result.success).toBe(true);
    const stillFrozen = await status(user.token, runId);
    expect(stillFrozen).toMatchObject({ status: "frozen", pending_approval: null });

    const resumed = await manualRpc(user.token, "hydra.resume", {});
    expect(resumed.body.result).toEqual({ success: true, resumed_runs: 1 });
    const done = await driveRun(user.token, runId);
    expect(done.steps.find((s: any) => s.action === "execute_command")).toMatchObject({ status: "completed", outcome: "success" });
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    const order = names(events);
    expect(order.indexOf("run_frozen")).toBeLessThan(order.indexOf("approval_resolved"));
    expect(order.indexOf("approval_resolved")).toBeLessThan(order.indexOf("run_resumed"));
    expect(order.at(-2)).toBe("run_completed");
  });

  it("freeze mid-run then hydra.resume {run_id} continues from where it stopped", async () => {
    const user = await newUser();
    const runId = await startManual(user.token);
    await step(runId, 2);
    await rpc(user.token, "hydra.kill", { level: "freeze" });
    const again = await rpc(user.token, "hydra.kill", { level: "freeze" });
    expect(again.body.result.cancelled_runs).toBe(0); // already frozen
    const notFrozen = await rpc(user.token, "hydra.resume", { run_id: "missing" });
    expect(notFrozen.body.error).toMatchObject({ code: -32602, data: { reason: "not_found" } });
    const res = await manualRpc(user.token, "hydra.resume", { run_id: runId });
    expect(res.body.result).toEqual({ success: true, resumed_runs: 1 });
    const done = await driveRun(user.token, runId);
    expect(done.steps.every((s: any) => s.status === "completed")).toBe(true);
    const twice = await rpc(user.token, "hydra.resume", { run_id: runId });
    expect(twice.body.error).toMatchObject({ code: -32602, data: { reason: "not_frozen", status: "completed" } });
  });

  it("rejects unknown levels with the allowed values", async () => {
    const user = await newUser();
    const res = await rpc(user.token, "hydra.kill", { level: "nuke" });
    expect(res.body.error).toMatchObject({ code: -32602, data: { issues: [{ path: "level", message: "level must be one of: instant, graceful, freeze" }] } });
  });
});
