import { describe, expect, it } from "vitest";
import { api } from "./helpers/http";
import { newUser } from "./helpers/auth";
import { bugFixManifest } from "./helpers/fixtures";
import { createWorkflow } from "./helpers/workflows";
import { driveRun, manualRpc, names, nextAction, openStream, readEvents, reportAction, rpc, status, step, stepUntil } from "./helpers/runtime";

type StepSpec = Record<string, unknown> & { id: string; action: string };

/** A manual run (alarms fired by the test) of a workflow with these steps, stepped until act has started. */
async function runOf(token: string, steps: StepSpec[], extraEnv: Record<string, string> = {}) {
  const manifest = { ...bugFixManifest(), steps: steps.map((s) => ({ name: `Step ${s.id}`, ...s })) };
  const workflow = await createWorkflow(token, { manifest });
  const started = await manualRpc(token, "hydra.run", { workflowId: workflow.workflowId }, extraEnv);
  const runId = started.body.result.run_id as string;
  await stepUntil(token, runId, (r) => r.actions.length > 0 || r.pending_approvals.length > 0 || r.status !== "running");
  return { runId, workflowId: workflow.workflowId };
}

const actOf = (run: any, key: string) => run.steps.find((s: any) => s.key === key);
const errorOf = (res: any) => res.body.error;

describe("hydra.next_action / hydra.report_action", () => {
  it("claims with a lease; an expired lease retries with a new action_id, and the old one has lost it", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "analyze", action: "analyze_code", retry: { max_attempts: 2 } }]);
    const first = (await nextAction(user.token, { run_id: runId })).action;
    expect(first).toMatchObject({ run_id: runId, action: "analyze_code", name: "Step analyze", attempt: 1, parameters: {}, inputs: {} });
    const lease = Date.parse(first.lease_expires_at) - Date.now();
    expect(lease).toBeGreaterThan(290_000); // ACTION_LEASE_SECONDS default 300
    expect(lease).toBeLessThanOrEqual(300_000);
    expect((await nextAction(user.token, { run_id: runId })).action).toBeNull(); // leased: nobody else gets it

    expect(await step(runId)).toBe(true); // the only alarm: the lease's deadline
    const second = (await nextAction(user.token, { run_id: runId })).action;
    expect(second).toMatchObject({ attempt: 2, step_id: first.step_id });
    expect(second.action_id).not.toBe(first.action_id);

    const late = await reportAction(user.token, first.action_id, "succeeded", "too late");
    expect(errorOf(late)).toMatchObject({ code: -32602, data: { field: "action_id", reason: "lease_lost" } });
    const ok = await reportAction(user.token, second.action_id, "succeeded", "found it");
    expect(ok.body.result).toEqual({ success: true, run_id: runId, step_id: first.step_id, status: "completed" });

    const done = await driveRun(user.token, runId);
    expect(done.status).toBe("completed");
    expect(actOf(done, "analyze")).toMatchObject({ attempts: 2, output: "found it" });
    expect(actOf(done, "analyze").attempt_history.map((a: any) => a.outcome)).toEqual(["expired", "succeeded"]);
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    const expired = events.find((e) => e.event === "action_expired")!;
    expect(expired.data).toEqual({ run_id: runId, step_id: first.step_id, action_id: first.action_id, attempt: 1 });
    const delegated = events.filter((e) => e.event === "action_delegated");
    expect(delegated.map((e) => e.data.action_id)).toEqual([first.action_id, second.action_id]);
    expect(Object.keys(delegated[0]!.data).sort()).toEqual(
      ["action", "action_id", "attempt", "inputs", "instructions", "name", "parameters", "run_id", "step_id", "timeout_at"].sort(),
    );
    const reported = events.findIndex((e) => e.event === "action_reported");
    expect(events[reported]!.data).toEqual({ run_id: runId, step_id: first.step_id, action_id: second.action_id, outcome: "succeeded" });
    expect(events[reported + 1]).toMatchObject({ event: "step_completed", data: { step_id: first.step_id, result: "success" } });
    expect(events.find((e) => e.event === "run_completed")?.data).toMatchObject({ status: "success" });
  });

  it("takes a late report while nobody claimed the retry; without retries an expired lease fails the step", async () => {
    const user = await newUser();
    const retried = await runOf(user.token, [{ id: "edit", action: "edit_file", retry: { max_attempts: 3 } }]);
    const first = (await nextAction(user.token, { run_id: retried.runId })).action;
    await step(retried.runId);
    const late = await reportAction(user.token, first.action_id, "succeeded", "done late");
    expect(late.body.result).toMatchObject({ success: true, status: "completed" });
    expect((await nextAction(user.token, { run_id: retried.runId })).action).toBeNull(); // the retry was withdrawn

    const once = await runOf(user.token, [{ id: "edit", action: "edit_file" }, { id: "after", action: "file_read", depends_on: ["edit"] }]);
    const only = (await nextAction(user.token, { run_id: once.runId })).action;
    await step(once.runId);
    const failed = await driveRun(user.token, once.runId);
    expect(failed.status).toBe("failed");
    expect(actOf(failed, "edit")).toMatchObject({ status: "failed", error: "no report before the lease expired" });
    expect(actOf(failed, "after")).toMatchObject({ status: "skipped", outcome: "dependency_skipped" });
    expect(errorOf(await reportAction(user.token, only.action_id, "succeeded"))).toMatchObject({ data: { reason: "not_active" } });
  });

  it("uses the step's timeout_seconds as the lease, and heartbeats extend it", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "build", action: "code_agent", timeout_seconds: 60 }]);
    const action = (await nextAction(user.token, { run_id: runId })).action;
    expect(Date.parse(action.lease_expires_at) - Date.now()).toBeLessThanOrEqual(60_000);
    await new Promise((r) => setTimeout(r, 20));
    const beat = await rpc(user.token, "hydra.heartbeat_action", { action_id: action.action_id });
    expect(Date.parse(beat.body.result.lease_expires_at)).toBeGreaterThan(Date.parse(action.lease_expires_at));
    const other = await newUser();
    expect(errorOf(await rpc(other.token, "hydra.heartbeat_action", { action_id: action.action_id }))).toMatchObject({ data: { reason: "not_found" } });
  });

  it("reports are idempotent; a different one is already_reported; others' and unknown actions are not found", async () => {
    const user = await newUser();
    const other = await newUser();
    const { runId } = await runOf(user.token, [{ id: "a", action: "analyze_code" }, { id: "b", action: "code_agent", depends_on: ["a"] }]);
    const action = (await nextAction(user.token, { run_id: runId })).action;
    expect(errorOf(await reportAction(other.token, action.action_id, "succeeded", "x"))).toMatchObject({ code: -32602, data: { reason: "not_found" } });
    expect(errorOf(await rpc(other.token, "hydra.next_action", { run_id: runId }))).toMatchObject({ code: -32602, data: { field: "run_id", reason: "not_found" } });

    const first = await reportAction(user.token, action.action_id, "succeeded", "root cause: off by one");
    expect(first.body.result).toEqual({ success: true, run_id: runId, step_id: action.step_id, status: "completed" });
    const again = await reportAction(user.token, action.action_id, "succeeded", "root cause: off by one");
    expect(again.body.result).toEqual({ success: true, run_id: runId, step_id: action.step_id, status: "completed", duplicate: true });
    const conflicting = await reportAction(user.token, action.action_id, "failed", "something else");
    expect(errorOf(conflicting)).toMatchObject({ code: -32602, data: { field: "action_id", reason: "already_reported" } });
    for (const bogus of ["nope", `act_${crypto.randomUUID()}_0123456789abcdef`]) {
      expect(errorOf(await reportAction(user.token, bogus, "succeeded"))).toMatchObject({ data: { reason: "not_found" } });
    }
    const big = await reportAction(user.token, action.action_id, "succeeded", "x".repeat(64 * 1024 + 1));
    expect(errorOf(big)).toMatchObject({ code: -32602, data: { issues: [{ path: "output" }] } });
    expect(errorOf(await rpc(user.token, "hydra.next_action", { run_id: runId, wait_seconds: 26 }))).toMatchObject({ code: -32602, data: { issues: [{ path: "wait_seconds" }] } });
    expect(errorOf(await rpc(user.token, "hydra.next_action", { run_id: "missing" }))).toMatchObject({ data: { reason: "not_found" } });

    // The dependent gets the output as its input.
    await step(runId);
    const next = (await nextAction(user.token, { run_id: runId })).action;
    expect(next.inputs).toEqual({ a: { outcome: "success", output: "root cause: off by one" } });
    expect(next.instructions).toContain("root cause: off by one");
  });

  it("a failed report retries while retry.max_attempts allows (after backoff), then fails the step", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "t", action: "generate_tests", retry: { max_attempts: 2, backoff_seconds: 30 } }]);
    const first = (await nextAction(user.token, { run_id: runId })).action;
    const res = await reportAction(user.token, first.action_id, "failed", undefined, "tests do not compile");
    expect(res.body.result).toMatchObject({ status: "running" });
    expect((await nextAction(user.token, { run_id: runId })).action).toBeNull(); // backoff
    await step(runId); // the backoff's deadline
    const second = (await nextAction(user.token, { run_id: runId })).action;
    expect(second).toMatchObject({ attempt: 2 });
    expect((await reportAction(user.token, second.action_id, "failed", undefined, "still broken")).body.result).toMatchObject({ status: "failed" });
    const done = await driveRun(user.token, runId);
    expect(done).toMatchObject({ status: "failed" });
    expect(actOf(done, "t")).toMatchObject({ status: "failed", error: "still broken", attempts: 2 });
  });

  it("reports and claims after cancel are not_active", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "a", action: "analyze_code" }]);
    const action = (await nextAction(user.token, { run_id: runId })).action;
    await rpc(user.token, "hydra.cancel", { run_id: runId });
    expect(errorOf(await reportAction(user.token, action.action_id, "succeeded", "x"))).toMatchObject({ code: -32602, data: { reason: "not_active", status: "cancelled" } });
    expect(errorOf(await rpc(user.token, "hydra.next_action", { run_id: runId }))).toMatchObject({ code: -32602, data: { reason: "not_active" } });
  });

  it("long-polls: wait_seconds answers as soon as an action becomes ready, across all of the caller's runs too", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "a", action: "analyze_code" }, { id: "b", action: "code_agent", depends_on: ["a"] }]);
    const a = (await nextAction(user.token, {})).action; // no run_id: any of the caller's runs
    expect(a).toMatchObject({ run_id: runId, action: "analyze_code" });
    await reportAction(user.token, a.action_id, "succeeded", "ok");
    const started = Date.now();
    const waiting = nextAction(user.token, { run_id: runId, wait_seconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await step(runId); // delegates b while the poll waits
    const b = (await waiting).action;
    expect(b).toMatchObject({ action: "code_agent", inputs: { a: { outcome: "success", output: "ok" } } });
    expect(Date.now() - started).toBeLessThan(9000);

    const empty = await nextAction(user.token, { wait_seconds: 0.2 });
    expect(empty).toEqual({ action: null });
  });

  it("resumes after the run's object is reset mid-action", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "a", action: "analyze_code" }, { id: "b", action: "docs_agent", depends_on: ["a"] }]);
    const action = (await nextAction(user.token, { run_id: runId })).action;
    await abortAllDurableObjects();
    expect((await reportAction(user.token, action.action_id, "succeeded", "survived")).body.result).toMatchObject({ status: "completed" });
    const done = await driveRun(user.token, runId);
    expect(done.status).toBe("completed");
    expect(actOf(done, "b").inputs).toEqual({ a: { outcome: "success", output: "survived" } });
  });
});

describe("approvals of actions", () => {
  it("parallel branches: an approval on one never holds back the other; several approvals wait at once", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [
      { id: "root", action: "file_read" },
      { id: "cmd", action: "execute_command", depends_on: ["root"], parameters: { command: "npm test" } },
      { id: "push", action: "github_integration", depends_on: ["root"], parameters: { repo: "acme/web" } },
      { id: "docs", action: "file_read", depends_on: ["root"] },
      { id: "more", action: "file_read", depends_on: ["docs"] },
    ]);
    const root = (await nextAction(user.token, { run_id: runId })).action;
    await reportAction(user.token, root.action_id, "succeeded", "read");
    await step(runId);
    const run = await status(user.token, runId);
    expect(run.pending_approvals.map((a: any) => a.step_id).sort()).toEqual([actOf(run, "cmd").id, actOf(run, "push").id].sort());
    expect(run.pending_approvals[0]).toMatchObject({ parameters_hash: expect.stringMatching(/^[0-9a-f]{64}$/), approve_url: expect.stringMatching(new RegExp(`/runs/${runId}$`)) });
    // The independent branch goes on.
    const docs = (await nextAction(user.token, { run_id: runId })).action;
    expect(docs).toMatchObject({ action: "file_read", step_id: actOf(run, "docs").id });
    await reportAction(user.token, docs.action_id, "succeeded", "docs read");
    await step(runId);
    const more = (await nextAction(user.token, { run_id: runId })).action;
    expect(more.step_id).toBe(actOf(run, "more").id);
    await reportAction(user.token, more.action_id, "succeeded", "more read");
    const waiting = await nextAction(user.token, { run_id: runId });
    expect(waiting.action).toBeNull();
    expect(waiting.waiting_for).toEqual({
      approval_id: run.pending_approvals[0].approval_id,
      step_id: run.pending_approvals[0].step_id,
      description: run.pending_approvals[0].description,
      approve_url: run.pending_approvals[0].approve_url,
    });

    const cmd = run.pending_approvals.find((a: any) => a.step_id === actOf(run, "cmd").id);
    const push = run.pending_approvals.find((a: any) => a.step_id === actOf(run, "push").id);
    const stale = await manualRpc(user.token, "hydra.approve", { approval_id: cmd.approval_id, decision: "approved", parameters_hash: "0".repeat(64) });
    expect(errorOf(stale)).toMatchObject({ code: -32602, data: { reason: "parameters_changed" } });
    const approved = await manualRpc(user.token, "hydra.approve", { approval_id: cmd.approval_id, decision: "approved", parameters_hash: cmd.parameters_hash });
    expect(approved.body.result).toMatchObject({ success: true, decision: "approved" });
    await manualRpc(user.token, "hydra.approve", { approval_id: push.approval_id, decision: "denied" });
    const done = await driveRun(user.token, runId, { outputOf: () => "all green" });
    expect(done.status).toBe("completed");
    expect(actOf(done, "cmd")).toMatchObject({ status: "completed", output: "all green" });
    expect(actOf(done, "push")).toMatchObject({ status: "skipped", outcome: "denied" });
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(events.find((e) => e.event === "run_completed")?.data.status).toBe("partial");
  });

  it("freeze stops the approval clock; run_resumed lists the approvals with their moved deadlines", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "cmd", action: "shell_execute", parameters: { command: "make" } }]);
    const before = (await status(user.token, runId)).pending_approvals[0];
    const left = Date.parse(before.expires_at) - Date.now();
    await rpc(user.token, "hydra.kill", { level: "freeze" });
    await new Promise((r) => setTimeout(r, 1200));
    await manualRpc(user.token, "hydra.resume", { run_id: runId });
    const after = (await status(user.token, runId)).pending_approvals[0];
    expect(after.approval_id).toBe(before.approval_id);
    expect(Date.parse(after.expires_at) - Date.parse(before.expires_at)).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(after.expires_at) - Date.now()).toBeGreaterThan(left - 1000);
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), (e) => e.some((x) => x.event === "run_resumed"));
    expect(events.find((e) => e.event === "run_resumed")?.data).toEqual({ run_id: runId, approvals: [{ approval_id: before.approval_id, expires_at: after.expires_at }] });
  });

  it("scores the parameters of every action: an analyze_code step carrying rm -rf is blocked", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [{ id: "sneaky", action: "analyze_code", parameters: { command: "rm -rf /" } }]);
    const done = await driveRun(user.token, runId);
    expect(actOf(done, "sneaky")).toMatchObject({ status: "skipped", outcome: "blocked", risk_score: 0.95 });
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(names(events)).not.toContain("action_delegated");
  });
});

describe("conditions", () => {
  it("false skips the step (condition_false, counts as success); true runs it", async () => {
    const user = await newUser();
    const { runId } = await runOf(user.token, [
      { id: "check", action: "analyze_code" },
      { id: "fix", action: "code_agent", depends_on: ["check"], condition: 'steps.check.output.contains("bug")' },
      { id: "celebrate", action: "docs_agent", depends_on: ["check"], condition: 'steps.check.outcome == "success" && run.intent != ""' },
      { id: "after_fix", action: "file_read", depends_on: ["fix"] },
    ]);
    const done = await driveRun(user.token, runId, { outputOf: (a) => (a.action === "analyze_code" ? "all clean" : "ok") });
    expect(done.status).toBe("completed");
    expect(actOf(done, "fix")).toMatchObject({ status: "skipped", outcome: "condition_false" });
    expect(actOf(done, "celebrate")).toMatchObject({ status: "completed", outcome: "success" });
    expect(actOf(done, "after_fix")).toMatchObject({ status: "completed", inputs: { fix: { outcome: "success", output: null } } });
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(events.find((e) => e.event === "run_completed")?.data.status).toBe("success");
  });

  it("an invalid condition is a 400 at create and update time, with its path", async () => {
    const user = await newUser();
    const manifest = { ...bugFixManifest(), steps: [...bugFixManifest().steps] };
    manifest.steps[2] = { ...manifest.steps[2]!, condition: "steps.find_root_cause.outcome ==" } as any;
    const res = await api("POST", "/v1/workflows", { token: user.token, body: { name: "Bad", manifest, visibility: "private" } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain("manifest.steps.2.condition");
    const unknown = { ...bugFixManifest() };
    unknown.steps = unknown.steps.map((s, i) => (i === 1 ? { ...s, condition: 'steps.nope.outcome == "success"' } : s)) as any;
    const wf = await createWorkflow(user.token);
    const put = await api("PUT", `/v1/workflows/${wf.workflowId}`, { token: user.token, body: { manifest: unknown } });
    expect(put.status).toBe(400);
    expect(JSON.stringify(put.body.error.details)).toContain("manifest.steps.1.condition");
    const timeout = { ...bugFixManifest() };
    timeout.steps = timeout.steps.map((s, i) => (i === 0 ? { ...s, timeout_seconds: 2 } : s)) as any;
    const badTimeout = await api("POST", "/v1/workflows", { token: user.token, body: { name: "Bad timeout", manifest: timeout, visibility: "private" } });
    expect(badTimeout.status).toBe(400);
    expect(JSON.stringify(badTimeout.body.error.details)).toContain("manifest.steps.0.timeout_seconds");
  });
});

describe("hydra.runs and hydra.health", () => {
  it("lists runs newest first with cursor pagination and filters", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await manualRpc(user.token, "hydra.run", { intent: `Research thing ${i}` })).body.result.run_id);
    ids.push((await manualRpc(user.token, "hydra.run", { workflowId: wf.workflowId })).body.result.run_id);
    await rpc(user.token, "hydra.cancel", { run_id: ids[0] });
    const page1 = (await rpc(user.token, "hydra.runs", { limit: 2 })).body.result;
    expect(page1.runs).toHaveLength(2);
    expect(page1.has_more).toBe(true);
    const page2 = (await rpc(user.token, "hydra.runs", { limit: 2, cursor: page1.next_cursor })).body.result;
    expect(page2).toMatchObject({ has_more: false, next_cursor: null });
    expect([...page1.runs, ...page2.runs].map((r: any) => r.id).sort()).toEqual([...ids].sort());
    const cancelled = (await rpc(user.token, "hydra.runs", { status: "cancelled" })).body.result.runs;
    expect(cancelled.map((r: any) => r.id)).toEqual([ids[0]]);
    const ofWorkflow = (await rpc(user.token, "hydra.runs", { workflow_id: wf.workflowId })).body.result.runs;
    expect(ofWorkflow.map((r: any) => r.id)).toEqual([ids[3]]);
    expect(errorOf(await rpc(user.token, "hydra.runs", { cursor: "garbage" }))).toMatchObject({ code: -32602 });
    const other = await newUser();
    expect((await rpc(other.token, "hydra.runs", {})).body.result).toEqual({ runs: [], next_cursor: null, has_more: false });
  });

  it("health reports sisters and an uptime that grows", async () => {
    const user = await newUser();
    const first = (await rpc(user.token, "hydra.health", {})).body.result;
    expect(first.sisters).toEqual({ d1: "ok", kv: "ok", durable_objects: "ok", llm_provider: "not_connected" });
    await new Promise((r) => setTimeout(r, 1100));
    const second = (await rpc(user.token, "hydra.health", {})).body.result;
    expect(second.uptime_seconds).toBeGreaterThan(first.uptime_seconds);
  });
});
