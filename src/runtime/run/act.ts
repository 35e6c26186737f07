import { runLogger } from "../../log";
import { conditionReferences, evaluateCondition } from "../../manifest/condition";
import { executeInWorker, executorFor, type ExecutionResult } from "../executors";
import type { PlannedAction, RunState, StepInput, StepRecord } from "../types";
import { announceReady, createAction, expireLeases } from "./actions";
import { approvalFor, expireApprovals, indexApprovals, openApproval } from "./approvals";
import { integrationsOf, llmOf, type LiveRun } from "./context";
import { stopRun } from "./control";
import { afterCommit } from "./after-commit";
import {
  actProgress,
  excerpt,
  isOpenActStep,
  skipStep,
  stampEnd,
  startStep,
  stepCompleted,
  stepStarted,
  succeeded,
  type PendingEvent,
} from "./steps";

/**
 * One scheduling pass of the act phase (one alarm). The plan is a graph, not levels: a step
 * starts as soon as its own dependencies (and the steps its condition reads) are done, so an
 * approval, a slow LLM call or an action waiting for a workstation on one branch never holds
 * back another. Delegated steps become actions for hydra.next_action; LLM and HTTP steps run
 * here, detached from the alarm, and commit their result when they finish.
 */
export async function act(run: LiveRun, now: number) {
  const s = run.state;
  // Approval ids are indexed in D1 before anyone can see them; nothing is mutated before that
  // await, so a report committed meanwhile never carries half of this pass.
  const approvalIds = await indexApprovals(run, stepsWantingApproval(run));
  if (s.status !== "running" || s.phase !== "act") return;

  const events: PendingEvent[] = [];
  expireLeases(run, now, events);
  expireApprovals(run, now, events);
  const launch = schedulePass(run, now, approvalIds, events);
  announceReady(run, now, events);
  if (!s.steps.some(isOpenActStep)) s.phase = "learn";
  run.journal.commit(s, events);
  for (const step of launch) execute(run, step);
}

const byKeyOf = (s: RunState) => new Map(s.plan.map((p) => [p.key, p]));
const actStep = (s: RunState, key: string) => s.steps.find((x) => x.key === key && x.phase === "act");
const hasLlm = (run: LiveRun) => run.state.settings.llm !== null;

/** Every step this one waits for: its dependencies and the steps its condition reads. */
function waitsFor(planned: PlannedAction): string[] {
  return planned.condition ? [...new Set([...planned.dependsOn, ...conditionReferences(planned.condition)])] : planned.dependsOn;
}

/** A pending step whose dependencies are all finished (whatever their outcome). */
function isUnblocked(s: RunState, step: StepRecord, planned: PlannedAction) {
  return step.status === "pending" && waitsFor(planned).every((key) => {
    const dep = actStep(s, key);
    return !dep || !isOpenActStep(dep);
  });
}

/** Inputs of a step: each dependency's outcome and (whole) output, by the dependency's key. */
export function inputsOf(run: LiveRun, planned: PlannedAction): Record<string, StepInput> {
  const inputs: Record<string, StepInput> = {};
  for (const key of planned.dependsOn) {
    const dep = actStep(run.state, key);
    if (!dep) continue;
    inputs[key] = { outcome: dep.status === "failed" ? "failed" : "success", output: run.journal.getOutput(dep.id) ?? dep.output ?? null };
  }
  return inputs;
}

function conditionHolds(run: LiveRun, planned: PlannedAction) {
  const s = run.state;
  const steps: Record<string, { outcome: string; output: unknown }> = {};
  for (const x of s.steps) {
    if (x.phase !== "act" || !x.key) continue;
    steps[x.key] = { outcome: x.outcome ?? x.status, output: run.journal.getOutput(x.id) ?? x.output ?? null };
  }
  return evaluateCondition(planned.condition!, { steps, run: { intent: s.intent } });
}

/** Unblocked steps that need a person's approval and are not waiting for one yet (pure). */
function stepsWantingApproval(run: LiveRun): StepRecord[] {
  const s = run.state;
  const byKey = byKeyOf(s);
  return s.steps.filter((step) => {
    if (step.phase !== "act" || step.risk?.gate !== "approval" || s.approvedSteps.includes(step.id) || approvalFor(s, step.id)) return false;
    const planned = byKey.get(step.key!)!;
    if (!isUnblocked(s, step, planned)) return false;
    if (!planned.dependsOn.every((key) => succeeded(actStep(s, key)!))) return false;
    if (planned.condition) {
      const holds = conditionHolds(run, planned);
      if (!holds.ok || !holds.value) return false;
    }
    return true;
  });
}

/**
 * Settles every unblocked step until nothing changes: skipped (a dependency did not succeed,
 * a false condition, blocked by risk), waiting for approval, delegated as an action, or
 * finished at once (control flow). Returns the in-Worker steps to execute.
 */
function schedulePass(run: LiveRun, now: number, approvalIds: Map<string, string>, events: PendingEvent[]): StepRecord[] {
  const s = run.state;
  const byKey = byKeyOf(s);
  const launch: StepRecord[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const step of s.steps) {
      if (step.phase !== "act") continue;
      const planned = byKey.get(step.key!)!;
      if (!isUnblocked(s, step, planned)) continue;
      const outcome = settle(run, step, planned, approvalIds, events, launch);
      if (outcome === "finished") {
        events.push(actProgress(s, step));
        changed = true;
      }
    }
  }
  // In-Worker steps left running by a restart, or due for their next attempt.
  for (const step of s.steps) {
    if (step.phase !== "act" || step.status !== "running" || run.executing.has(step.id) || launch.includes(step)) continue;
    if (executorFor(step.action!, hasLlm(run)) === "workstation") continue;
    if (step.nextAttemptAt && Date.parse(step.nextAttemptAt) > now) continue;
    beginAttempt(step);
    launch.push(step);
  }
  return launch;
}

function settle(
  run: LiveRun,
  step: StepRecord,
  planned: PlannedAction,
  approvalIds: Map<string, string>,
  events: PendingEvent[],
  launch: StepRecord[],
): "finished" | "waiting" | "started" {
  const s = run.state;
  const blocker = planned.dependsOn.map((key) => actStep(s, key)!).find((dep) => !succeeded(dep));
  if (blocker) {
    skipStep(s, step, "dependency_skipped", events, { reason: `depends on '${blocker.key}', which did not complete` });
    return "finished";
  }
  if (planned.condition) {
    const holds = conditionHolds(run, planned);
    if (!holds.ok || !holds.value) {
      startStep(step);
      events.push(stepStarted(s, step));
      if (!holds.ok) {
        failStep(s, step, holds.error, events);
      } else {
        skipStep(s, step, "condition_false", events, { condition: planned.condition });
      }
      return "finished";
    }
  }
  const risk = step.risk!;
  if (risk.gate === "block") {
    events.push(stepStarted(s, step));
    skipStep(s, step, "blocked", events, { risk_score: risk.score, reason: risk.reason });
    return "finished";
  }
  if (risk.gate === "approval" && !s.approvedSteps.includes(step.id)) {
    const approvalId = approvalIds.get(step.id);
    if (approvalId && !approvalFor(s, step.id)) openApproval(run, step, planned, approvalId, events);
    return "waiting";
  }

  startStep(step);
  events.push(stepStarted(s, step));
  if (risk.gate === "notice") {
    events.push({ event: "risk_notice", data: { run_id: s.id, step_id: step.id, action: step.action, risk_score: risk.score, reason: risk.reason } });
  }
  const inputs = inputsOf(run, planned);
  step.inputs = excerptInputs(inputs);
  switch (executorFor(planned.action, hasLlm(run))) {
    case "workstation":
      step.outcome = "waiting";
      createAction(run, step, planned, 1, new Date().toISOString(), inputs, events);
      return "started";
    case "control":
      beginAttempt(step);
      completeStep(run, step, { outcome: "success", output: null, tokens: 0 }, events);
      return "finished";
    default:
      beginAttempt(step);
      launch.push(step);
      return "started";
  }
}

/** What the step record shows of its inputs (the whole outputs stay in storage). */
function excerptInputs(inputs: Record<string, StepInput>): Record<string, StepInput> {
  return Object.fromEntries(Object.entries(inputs).map(([key, input]) => [key, { outcome: input.outcome, output: excerpt(input.output) }]));
}

function beginAttempt(step: StepRecord) {
  const attempt = (step.attempts ?? 0) + 1;
  step.attempts = attempt;
  delete step.nextAttemptAt;
  (step.attemptLog ??= []).push({ attempt, started_at: new Date().toISOString() });
}

/** Closes the step's current attempt record. */
export function endAttempt(step: StepRecord, outcome: "succeeded" | "failed" | "expired", error?: string) {
  const current = step.attemptLog?.at(-1);
  if (!current || current.ended_at) return;
  current.ended_at = new Date().toISOString();
  current.duration_ms = Date.parse(current.ended_at) - Date.parse(current.started_at);
  current.outcome = outcome;
  if (error) current.error = error;
}

export function failStep(s: RunState, step: StepRecord, error: string, events: PendingEvent[]) {
  step.status = "failed";
  step.outcome = "failed";
  step.error = error;
  stampEnd(step);
  events.push(stepCompleted(s, step, { result: "failed", error }));
}

/** A step's final result: its output goes to storage (whole) and to the record (excerpt). */
export function completeStep(run: LiveRun, step: StepRecord, result: { outcome: "success" | "failed"; output?: unknown; error?: string; tokens: number }, events: PendingEvent[]) {
  const s = run.state;
  step.tokens = (step.tokens ?? 0) + result.tokens;
  s.tokensUsed += result.tokens;
  endAttempt(step, result.outcome === "success" ? "succeeded" : "failed", result.error);
  if (result.output !== undefined && result.output !== null) {
    run.journal.putOutput(step.id, result.output);
    step.output = excerpt(result.output);
  }
  if (result.outcome === "failed") {
    failStep(s, step, result.error ?? "Action failed", events);
    return;
  }
  step.status = "completed";
  step.outcome = "success";
  stampEnd(step);
  events.push(stepCompleted(s, step, { result: "success", ...(step.output !== undefined ? { output: step.output } : {}) }));
}

/** Retries left for this step (LLM, HTTP and delegated steps share the policy). */
export function retryDelayMs(planned: PlannedAction, attempt: number): number | null {
  const max = planned.retry?.maxAttempts ?? 1;
  return attempt < max ? (planned.retry?.backoffSeconds ?? 0) * 1000 : null;
}

/** Runs one in-Worker step detached from the alarm; its result is committed when it arrives. */
function execute(run: LiveRun, step: StepRecord) {
  const s = run.state;
  const planned = byKeyOf(s).get(step.key!)!;
  const controller = new AbortController();
  run.executing.set(step.id, controller);
  const ctx = {
    intent: s.intent,
    inputs: inputsOf(run, planned),
    llm: llmOf(run),
    integrations: integrationsOf(run),
    signal: controller.signal,
    timeoutMs: planned.timeoutSeconds ? planned.timeoutSeconds * 1000 : undefined,
  };
  void executeInWorker(planned, ctx)
    .catch((err): ExecutionResult | null => {
      if (controller.signal.aborted) return null;
      runLogger(s.id).error("action failed unexpectedly", { stepId: step.id, error: String(err) });
      return { outcome: "failed", tokens: 0, error: "Action failed unexpectedly" };
    })
    .then((result) => (result ? recordExecution(run, step.id, controller, planned, result) : undefined))
    .catch((err) => runLogger(s.id).error("recording a result failed", { stepId: step.id, error: String(err) }));
}

async function recordExecution(run: LiveRun, stepId: string, controller: AbortController, planned: PlannedAction, result: ExecutionResult) {
  if (run.executing.get(stepId) !== controller) return; // cancelled, or superseded after a restart
  run.executing.delete(stepId);
  const s = run.state;
  const step = s.steps.find((x) => x.id === stepId);
  if (!step || step.status !== "running" || isTerminalish(s)) return;
  const events: PendingEvent[] = [];
  const retryIn = result.outcome === "failed" ? retryDelayMs(planned, step.attempts ?? 1) : null;
  if (retryIn !== null) {
    s.tokensUsed += result.tokens;
    step.tokens = (step.tokens ?? 0) + result.tokens;
    endAttempt(step, "failed", result.error);
    step.nextAttemptAt = new Date(Date.now() + retryIn).toISOString();
    events.push({ event: "step_retrying", data: { run_id: s.id, step_id: step.id, attempt: step.attempts, error: result.error, next_attempt_at: step.nextAttemptAt } });
  } else {
    completeStep(run, step, result, events);
    events.push(actProgress(s, step));
  }
  run.journal.commit(s, events);
  if (s.stopAfterPhase && run.executing.size === 0 && !run.inflight) {
    await stopRun(run, s.stopAfterPhase, "graceful");
    return;
  }
  await afterCommit(run, { alarm: "next" });
}

const isTerminalish = (s: RunState) => s.status === "cancelled" || s.status === "failed" || s.status === "completed";

/** True when a pass now would change something (the step delay applies), false when only deadlines remain. */
export function hasImmediateWork(run: LiveRun, now: number): boolean {
  const s = run.state;
  if (!s.steps.some(isOpenActStep)) return true;
  const byKey = byKeyOf(s);
  for (const step of s.steps) {
    if (step.phase !== "act") continue;
    const planned = byKey.get(step.key!)!;
    if (step.status === "pending" && isUnblocked(s, step, planned) && !approvalFor(s, step.id)) return true;
    if (
      step.status === "running" &&
      !run.executing.has(step.id) &&
      executorFor(step.action!, hasLlm(run)) !== "workstation" &&
      (!step.nextAttemptAt || Date.parse(step.nextAttemptAt) <= now)
    ) {
      return true;
    }
  }
  return s.actions.some((a) => a.state === "ready" && !a.announced && Date.parse(a.ready_at) <= now);
}
