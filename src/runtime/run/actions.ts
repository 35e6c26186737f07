import { hexOf } from "../../services";
import { renderInstructions } from "../executors";
import { isTerminal, type ActionRecord, type PlannedAction, type RunState, type StepInput, type StepRecord } from "../types";
import { completeStep, endAttempt, failStep, inputsOf, retryDelayMs } from "./act";
import type { LiveRun } from "./context";
import { actProgress, type PendingEvent } from "./steps";

// Delegated steps as actions: created ready, announced (action_delegated) once their backoff
// has passed, claimed with a lease (hydra.next_action), kept alive (hydra.heartbeat_action),
// reported (hydra.report_action), or expired by the alarm and retried with a new action id.

export const LEASE_EXPIRED_ERROR = "no report before the lease expired";

export type ActionRefusal = { refused: "not_found" | "not_active" | "already_reported" | "lease_lost"; status?: string; message: string };

/** What a workstation gets for one claimed action (hydra.next_action's `action`). */
export interface ActionView {
  action_id: string;
  run_id: string;
  step_id: string;
  action: string;
  name: string;
  parameters: Record<string, unknown>;
  instructions: string;
  inputs: Record<string, StepInput>;
  attempt: number;
  lease_expires_at: string | null;
}

/** The action id names its run, so a report finds the run's object without an index lookup. */
export function newActionId(runId: string): string {
  const random = hexOf(crypto.getRandomValues(new Uint8Array(8)));
  return `act_${runId}_${random}`;
}

export function runIdOfAction(actionId: string): string | null {
  return /^act_([0-9a-f-]{36})_[0-9a-f]{16}$/.exec(actionId)?.[1] ?? null;
}

const plannedOf = (s: RunState, key: string) => s.plan.find((p) => p.key === key)!;
const stepOf = (s: RunState, stepId: string) => s.steps.find((x) => x.id === stepId)!;

export const leaseMsOf = (s: RunState, planned: PlannedAction) => (planned.timeoutSeconds ?? s.settings.actionLeaseSeconds) * 1000;

/** A new attempt of a delegated step; announced now unless it waits for a retry backoff. */
export function createAction(run: LiveRun, step: StepRecord, planned: PlannedAction, attempt: number, readyAt: string, inputs: Record<string, StepInput>, events: PendingEvent[]) {
  const s = run.state;
  const action: ActionRecord = {
    action_id: newActionId(s.id),
    step_id: step.id,
    key: planned.key,
    attempt,
    state: "ready",
    ready_at: readyAt,
    announced: false,
    lease_expires_at: null,
    claimed_at: null,
  };
  s.actions.push(action);
  if (Date.parse(readyAt) <= Date.now()) announce(run, action, inputs, events);
}

/** What an action is, as action_delegated and next_action show it. */
function describeAction(run: LiveRun, action: ActionRecord, inputs: Record<string, StepInput>) {
  const planned = plannedOf(run.state, action.key);
  return {
    action_id: action.action_id,
    run_id: run.state.id,
    step_id: action.step_id,
    action: planned.action,
    name: planned.name,
    parameters: planned.parameters,
    instructions: renderInstructions(planned, inputs),
    inputs,
    attempt: action.attempt,
  };
}

function announce(run: LiveRun, action: ActionRecord, inputs: Record<string, StepInput>, events: PendingEvent[]) {
  action.announced = true;
  const leaseMs = leaseMsOf(run.state, plannedOf(run.state, action.key));
  // timeout_at: the lease deadline if it is claimed now; an unclaimed action waits for a workstation.
  events.push({ event: "action_delegated", data: { ...describeAction(run, action, inputs), timeout_at: new Date(Date.now() + leaseMs).toISOString() } });
}

/** Retries whose backoff has passed become claimable. */
export function announceReady(run: LiveRun, now: number, events: PendingEvent[]) {
  for (const action of run.state.actions) {
    if (action.state === "ready" && !action.announced && Date.parse(action.ready_at) <= now) {
      announce(run, action, inputsOf(run, plannedOf(run.state, action.key)), events);
    }
  }
}

export function actionView(run: LiveRun, action: ActionRecord): ActionView {
  const inputs = inputsOf(run, plannedOf(run.state, action.key));
  return { ...describeAction(run, action, inputs), lease_expires_at: action.lease_expires_at };
}

/** Claims the oldest announced action (optionally only of the given action types) and leases it. */
export function claimAction(run: LiveRun, only: string[] | undefined): ActionView | null {
  const s = run.state;
  if (s.status !== "running") return null;
  const candidates = s.actions.filter(
    (a) => a.state === "ready" && a.announced && (!only || only.includes(plannedOf(s, a.key).action)),
  );
  const action = candidates.sort((a, b) => Date.parse(a.ready_at) - Date.parse(b.ready_at))[0];
  if (!action) return null;
  const now = Date.now();
  action.state = "leased";
  action.claimed_at = new Date(now).toISOString();
  action.lease_expires_at = new Date(now + leaseMsOf(s, plannedOf(s, action.key))).toISOString();
  const step = stepOf(s, action.step_id);
  step.attempts = action.attempt;
  (step.attemptLog ??= []).push({ attempt: action.attempt, action_id: action.action_id, started_at: action.claimed_at });
  run.journal.commit(s, [
    {
      event: "action_claimed",
      data: { run_id: s.id, step_id: action.step_id, action_id: action.action_id, attempt: action.attempt, lease_expires_at: action.lease_expires_at },
    },
  ]);
  return actionView(run, action);
}

/** The oldest claimable action's ready time, for choosing among a user's runs. */
export function oldestReady(s: RunState, only: string[] | undefined): string | null {
  if (s.status !== "running") return null;
  const times = s.actions
    .filter((a) => a.state === "ready" && a.announced && (!only || only.includes(plannedOf(s, a.key).action)))
    .map((a) => a.ready_at)
    .sort();
  return times[0] ?? null;
}

function findAction(s: RunState, actionId: string): ActionRecord | undefined {
  return s.actions.find((a) => a.action_id === actionId);
}

const notFound = (actionId: string): ActionRefusal => ({ refused: "not_found", message: `Action '${actionId}' was not found` });

/** A newer attempt of the same step that someone claimed (or reported) took over. */
function lostTo(s: RunState, action: ActionRecord): boolean {
  const step = stepOf(s, action.step_id);
  if (step.status !== "running") return true;
  return s.actions.some((a) => a.step_id === action.step_id && a.attempt > action.attempt && a.state !== "ready");
}

export function heartbeatAction(run: LiveRun, actionId: string): { lease_expires_at: string } | ActionRefusal {
  const s = run.state;
  const action = findAction(s, actionId);
  if (!action) return notFound(actionId);
  if (action.state === "reported") return { refused: "already_reported", message: `Action '${actionId}' was already reported` };
  if (isTerminal(s.status)) return { refused: "not_active", status: s.status, message: `Run '${s.id}' is not active (status ${s.status})` };
  if (action.state === "superseded" || (action.state === "expired" && lostTo(s, action))) {
    return { refused: "lease_lost", message: `The lease of action '${actionId}' expired and the step moved on` };
  }
  const now = Date.now();
  const planned = plannedOf(s, action.key);
  if (action.state !== "leased") takeOver(s, action, now);
  action.state = "leased";
  action.lease_expires_at = new Date(now + leaseMsOf(s, planned)).toISOString();
  run.journal.commit(s, []);
  return { lease_expires_at: action.lease_expires_at };
}

/** A late (or unclaimed) attempt is taken back: the retry waiting for a claim is withdrawn. */
function takeOver(s: RunState, action: ActionRecord, now: number) {
  for (const other of s.actions) {
    if (other.step_id === action.step_id && other !== action && other.state === "ready") other.state = "superseded";
  }
  if (!action.claimed_at) {
    action.claimed_at = new Date(now).toISOString();
    const step = stepOf(s, action.step_id);
    step.attempts = action.attempt;
    (step.attemptLog ??= []).push({ attempt: action.attempt, action_id: action.action_id, started_at: action.claimed_at });
  }
}

export interface ReportInput {
  outcome: "succeeded" | "failed";
  output?: string | undefined;
  error?: string | undefined;
}

export type ReportResult = { success: true; run_id: string; step_id: string; status: string; duplicate?: true } | ActionRefusal;

/** Applies a workstation's report: the step succeeds, fails, or (failed with retries left) gets a new attempt. */
export function reportAction(run: LiveRun, actionId: string, report: ReportInput): ReportResult {
  const s = run.state;
  const action = findAction(s, actionId);
  if (!action) return notFound(actionId);
  if (action.state === "reported") {
    const previous = action.report!;
    const same = previous.outcome === report.outcome && (previous.output ?? "") === (report.output ?? "") && (previous.error ?? "") === (report.error ?? "");
    if (!same) return { refused: "already_reported", message: `Action '${actionId}' was already reported with another result` };
    return { success: true, run_id: s.id, step_id: action.step_id, status: previous.status, duplicate: true };
  }
  if (isTerminal(s.status)) return { refused: "not_active", status: s.status, message: `Run '${s.id}' is not active (status ${s.status})` };
  if (action.state === "superseded" || (action.state === "expired" && lostTo(s, action))) {
    return { refused: "lease_lost", message: `The lease of action '${actionId}' expired and another attempt took over` };
  }
  const now = Date.now();
  takeOver(s, action, now);
  const step = stepOf(s, action.step_id);
  const planned = plannedOf(s, action.key);
  const events: PendingEvent[] = [{ event: "action_reported", data: { run_id: s.id, step_id: step.id, action_id: actionId, outcome: report.outcome } }];
  const retryIn = report.outcome === "failed" ? retryDelayMs(planned, action.attempt) : null;
  if (retryIn !== null) {
    endAttempt(step, "failed", report.error);
    createAction(run, step, planned, action.attempt + 1, new Date(now + retryIn).toISOString(), inputsOf(run, planned), events);
  } else {
    completeStep(
      run,
      step,
      report.outcome === "succeeded"
        ? { outcome: "success", output: report.output ?? null, tokens: 0 }
        : { outcome: "failed", output: report.output ?? null, error: report.error ?? "The workstation reported a failure", tokens: 0 },
      events,
    );
    events.push(actProgress(s, step));
  }
  action.state = "reported";
  action.report = { outcome: report.outcome, output: report.output, error: report.error, status: step.status };
  run.journal.commit(s, events);
  return { success: true, run_id: s.id, step_id: step.id, status: step.status };
}

/** Leases past their deadline: the action is ready again as a new attempt, or the step fails. */
export function expireLeases(run: LiveRun, now: number, events: PendingEvent[]) {
  const s = run.state;
  for (const action of [...s.actions]) {
    if (action.state !== "leased" || !action.lease_expires_at || Date.parse(action.lease_expires_at) > now) continue;
    action.state = "expired";
    const step = stepOf(s, action.step_id);
    const planned = plannedOf(s, action.key);
    endAttempt(step, "expired", LEASE_EXPIRED_ERROR);
    events.push({ event: "action_expired", data: { run_id: s.id, step_id: step.id, action_id: action.action_id, attempt: action.attempt } });
    const retryIn = retryDelayMs(planned, action.attempt);
    if (retryIn !== null) {
      createAction(run, step, planned, action.attempt + 1, new Date(now + retryIn).toISOString(), inputsOf(run, planned), events);
    } else {
      failStep(s, step, LEASE_EXPIRED_ERROR, events);
      events.push(actProgress(s, step));
    }
  }
}

/** The earliest lease deadline or retry announcement, for the alarm. */
export function actionDeadlines(s: RunState): number[] {
  const times: number[] = [];
  for (const a of s.actions) {
    if (a.state === "leased" && a.lease_expires_at) times.push(Date.parse(a.lease_expires_at));
    if (a.state === "ready" && !a.announced) times.push(Date.parse(a.ready_at));
  }
  return times;
}
