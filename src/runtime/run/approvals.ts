import { createDatabase } from "../../db/client";
import { insertApprovalRow } from "../runs-store";
import type { RunState, StepRecord } from "../types";
import type { LiveRun } from "./context";
import { scheduleNext } from "./schedule";
import { actProgress, skipStep, stepStarted, type PendingEvent } from "./steps";

export type DecideResult =
  | { ok: true; runId: string }
  | { ok: false; reason: "not_found" | "already_decided" | "expired" | "not_pending"; decision?: string };

/** Asks for approval of `step` and commits it with the act phase's `events` so far. */
export async function requestApproval(run: LiveRun, step: StepRecord, events: PendingEvent[]) {
  const s = run.state;
  const approvalId = crypto.randomUUID();
  // The index row exists before anyone can see the approval id.
  await insertApprovalRow(createDatabase(run.env.DB), { id: approvalId, runId: s.id, userId: s.userId, now: new Date().toISOString() });
  if (s.status === "cancelled") return;
  const risk = step.risk!;
  const approval = {
    approval_id: approvalId,
    step_id: step.id,
    action: step.action!,
    risk_score: risk.score,
    reason: risk.reason,
    expires_at: new Date(Date.now() + s.settings.approvalTtlSeconds * 1000).toISOString(),
  };
  s.pendingApproval = approval;
  events.push({ event: "approval_required", data: { run_id: s.id, ...approval, description: step.description } });
  run.journal.commit(s, events);
}

/** Denied or expired: the step is skipped (its dependents follow) and the run goes on. */
export function resolveApproval(run: LiveRun, decision: "approved" | "denied" | "expired") {
  const s = run.state;
  const pending = s.pendingApproval!;
  s.pendingApproval = null;
  s.resolvedApprovals[pending.approval_id] = decision;
  const events: PendingEvent[] = [{ event: "approval_resolved", data: { run_id: s.id, approval_id: pending.approval_id, decision } }];
  const step = s.steps.find((x) => x.id === pending.step_id)!;
  if (decision === "approved") {
    s.approvedSteps.push(step.id);
  } else {
    events.push(stepStarted(s, step));
    skipStep(s, step, decision, events, { approval_id: pending.approval_id });
    events.push(actProgress(s, step));
  }
  run.journal.commit(s, events);
}

export async function expireApproval(run: LiveRun) {
  resolveApproval(run, "expired");
  await scheduleNext(run);
  await run.journal.flushToHub(run.state);
}

export async function decideApproval(run: LiveRun, approvalId: string, decision: "approved" | "denied"): Promise<DecideResult> {
  const s = run.state;
  const resolved = s.resolvedApprovals[approvalId];
  if (resolved === "cancelled") return { ok: false, reason: "not_pending", decision: resolved };
  if (resolved) return { ok: false, reason: resolved === "expired" ? "expired" : "already_decided", decision: resolved };
  const pending = s.pendingApproval;
  if (!pending || pending.approval_id !== approvalId) return { ok: false, reason: "not_found" };
  if (pending.decision) return { ok: false, reason: "already_decided", decision: pending.decision };
  // The alarm may not have fired yet; the deadline is what counts.
  if (Date.now() >= Date.parse(pending.expires_at)) {
    await expireApproval(run);
    return { ok: false, reason: "expired", decision: "expired" };
  }
  if (s.status === "frozen" && decision === "approved") {
    // Kept and applied on resume.
    pending.decision = "approved";
    s.resolvedApprovals[approvalId] = "approved";
    run.journal.commit(s, [{ event: "approval_resolved", data: { run_id: s.id, approval_id: approvalId, decision } }]);
  } else {
    resolveApproval(run, decision);
    await scheduleNext(run);
  }
  await run.journal.flushToHub(s);
  return { ok: true, runId: s.id };
}

/** On resume: an approval granted while frozen lets its step run. */
export function applyKeptApproval(s: RunState) {
  const pending = s.pendingApproval;
  if (pending?.decision !== "approved") return;
  s.pendingApproval = null;
  s.approvedSteps.push(pending.step_id);
}

/** A stopped run's approval can no longer be decided. */
export function withdrawApproval(s: RunState) {
  if (!s.pendingApproval) return;
  s.resolvedApprovals[s.pendingApproval.approval_id] = "cancelled";
  s.pendingApproval = null;
}
