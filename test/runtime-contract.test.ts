import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, openStream, readEvents, rpc, type SseEvent } from "./helpers/runtime";

/** Payload fields of each SSE event in runtime-rpc-sse-api.txt. */
const SEED_FIELDS: Record<string, string[]> = {
  system_ready: ["version"],
  run_started: ["run_id", "intent", "estimated_steps"],
  step_started: ["run_id", "step_id", "phase", "description"],
  step_progress: ["run_id", "step_id", "progress", "phase"],
  step_completed: ["run_id", "step_id", "result", "phase"],
  approval_required: ["run_id", "approval_id", "action", "risk_score", "reason", "expires_at"],
  run_completed: ["run_id", "status", "tokens_used"],
  run_error: ["run_id", "error"],
  heartbeat: ["status"],
  system_shutdown: ["reason"],
};
/** Events whose payload is exactly the seed's (the others carry documented extras). */
const EXACT = ["system_ready", "step_progress", "run_completed", "run_error", "heartbeat", "system_shutdown"];
const PHASES = ["perceive", "think", "decide", "act", "learn"];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function expectSeedPayloads(events: SseEvent[], runId: string) {
  for (const e of events) {
    const fields = SEED_FIELDS[e.event];
    if (!fields) continue;
    if (EXACT.includes(e.event)) expect(Object.keys(e.data).sort(), e.event).toEqual([...fields].sort());
    else expect(Object.keys(e.data), e.event).toEqual(expect.arrayContaining(fields));
    if (fields.includes("run_id")) expect(e.data.run_id).toBe(runId);
    if (fields.includes("phase")) expect(PHASES).toContain(e.data.phase);
    if (fields.includes("step_id")) expect(typeof e.data.step_id).toBe("string");
  }
}

const ofType = (events: SseEvent[], name: string) => events.filter((e) => e.event === name).map((e) => e.data);

async function replay(token: string, runId: string) {
  const { events, ended } = await readEvents(await openStream(token, `/runs/${runId}/events`), () => false);
  expect(ended).toBe(true);
  return events;
}

/** "Add … tests" plans research → generate_code → generate_tests → execute_command (needs approval). */
async function runToApproval(token: string) {
  const started = await manualRpc(token, "hydra.run", { intent: "Add the missing tests" });
  expect(started.body.result).toEqual({ run_id: expect.any(String), status: "accepted" });
  const runId = started.body.result.run_id as string;
  const waiting = await driveRun(token, runId, { stopAtApproval: true });
  return { runId, approvalId: waiting.pending_approval.approval_id as string };
}

describe("runtime contract (runtime-rpc-sse-api.txt)", () => {
  it("every seed event of an approved run carries the seed's payload fields", async () => {
    const user = await newUser();
    const { runId, approvalId } = await runToApproval(user.token);
    expect((await manualRpc(user.token, "hydra.approve", { approval_id: approvalId, decision: "approved" })).body.result).toMatchObject({ success: true });
    const done = await driveRun(user.token, runId);
    const events = await replay(user.token, runId);
    expectSeedPayloads(events, runId);

    expect(events[0]).toEqual({ event: "system_ready", id: "0", data: { version: "0.1.0" } });
    expect(events.at(-1)!.data).toEqual({ reason: "Run finished" });
    expect(ofType(events, "run_started")[0]).toMatchObject({ intent: "Add the missing tests", estimated_steps: expect.any(Number) });
    const [required] = ofType(events, "approval_required");
    expect(required).toMatchObject({ approval_id: approvalId, action: "execute_command", risk_score: 0.6, reason: expect.any(String) });
    expect(required!.expires_at).toMatch(ISO);
    expect(ofType(events, "run_completed")).toEqual([{ run_id: runId, status: "success", tokens_used: done.tokens_used }]);
    expect(done.tokens_used).toBeGreaterThan(0);

    // step_progress: every phase reports it, progress is a fraction, and each phase ends at 1.
    const progress = ofType(events, "step_progress");
    expect([...new Set(progress.map((p) => p.phase))]).toEqual(PHASES);
    for (const p of progress) expect(p.progress >= 0 && p.progress <= 1).toBe(true);
    for (const phase of PHASES) expect(progress.filter((p) => p.phase === phase).at(-1)!.progress).toBe(1);
    // A fixed phase's progress falls between its own step_started and step_completed.
    for (const phase of ["perceive", "think", "decide", "learn"]) {
      const at = (name: string) => events.findIndex((e) => e.event === name && e.data.phase === phase);
      expect(at("step_progress")).toBeGreaterThan(at("step_started"));
      expect(at("step_progress")).toBeLessThan(at("step_completed"));
      expect(events[at("step_progress")]!.data.step_id).toBe(events[at("step_started")]!.data.step_id);
    }
  });

  it("act progress reaches 1 when the last action is denied (skipped steps count as finished)", async () => {
    const user = await newUser();
    const { runId, approvalId } = await runToApproval(user.token);
    await manualRpc(user.token, "hydra.approve", { approval_id: approvalId, decision: "denied" });
    await driveRun(user.token, runId);
    const events = await replay(user.token, runId);
    expectSeedPayloads(events, runId);
    const act = ofType(events, "step_progress").filter((p) => p.phase === "act").map((p) => p.progress);
    expect(act).toEqual([...act].sort((a, b) => a - b));
    expect(act.at(-1)).toBe(1);
    expect(ofType(events, "run_completed")[0]).toMatchObject({ status: "partial" });
  });

  it("run_error carries exactly {run_id, error}", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Fetch https://127.0.0.1/admin" })).body.result.run_id;
    await driveRun(user.token, runId);
    const events = await replay(user.token, runId);
    expectSeedPayloads(events, runId);
    expect(ofType(events, "run_error")).toEqual([{ run_id: runId, error: expect.stringContaining("1 step(s) failed") }]);
    expect(ofType(events, "run_completed")).toEqual([]);
  });

  it("RPC results have the seed's shapes", async () => {
    const user = await newUser();
    const { runId } = await runToApproval(user.token);
    const statusRes = (await rpc(user.token, "hydra.status", {})).body.result;
    const run = statusRes.runs.find((r: any) => r.id === runId);
    expect(run).toMatchObject({ id: runId, intent: "Add the missing tests", status: "running" });
    expect(run.created_at).toMatch(ISO);
    for (const s of run.steps) {
      expect(s).toMatchObject({ id: expect.any(String), description: expect.any(String) });
      expect(["pending", "running", "completed", "failed", "skipped"]).toContain(s.status);
    }
    expect((await rpc(user.token, "hydra.cancel", { run_id: runId })).body.result).toMatchObject({ success: true });
    expect((await rpc(user.token, "hydra.kill", {})).body.result).toEqual({ success: true, level: "graceful", cancelled_runs: 0 });
    const health = (await rpc(user.token, "hydra.health")).body.result;
    expect(health).toMatchObject({ status: "ok", uptime_seconds: expect.any(Number) });
  });
});
