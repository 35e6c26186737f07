import { createDatabase } from "../../db/client";
import { insertApprovalRow } from "../runs-store";
import type { PendingApproval, PlannedAction, RunState, StepRecord } from "../types";
import type { LiveRun } from "./context";
import { commitChange } from "./after-commit";
import { actProgress, skipStep, stepStarted, type PendingEvent } from "./steps";

export type DecideResult =
  | { ok: true; runId: string }
  | { ok: false; reason: "not_found" | "already_decided" | "expired" | "not_pending" | "parameters_changed"; decision?: string };

export const approvalFor = (s: RunState, stepId: string) => s.pendingApprovals.find((a) => a.step_id === stepId);

/** The page where a person decides: the dashboard's run page. */
export const approveUrl = (s: RunState) => `${s.settings.publicBaseUrl ?? ""}/runs/${s.id}`;

/** What hydra.status, next_action's `waiting_for` and approval_required show of an approval. */
export function approvalView(s: RunState, a: PendingApproval) {
  return {
    approval_id: a.approval_id,
    step_id: a.step_id,
    action: a.action,
    risk_score: a.risk_score,
    reason: a.reason,
    expires_at: a.expires_at,
    description: a.description,
    parameters: a.parameters,
    parameters_hash: a.parameters_hash,
    approve_url: approveUrl(s),
  };
}

/** Indexes one approval id per step in D1 (approval id → run) before the approvals exist. */
export async function indexApprovals(run: LiveRun, steps: StepRecord[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (steps.length === 0) return ids;
  const db = createDatabase(run.env.DB);
  const now = new Date().toISOString();
  await Promise.all(
    steps.map((step) => {
      const id = crypto.randomUUID();
      ids.set(step.id, id);
      return insertApprovalRow(db, { id, runId: run.state.id, userId: run.state.userId, now });
    }),
  );
  return ids;
}

/** Asks a person to approve `step`; the step is delegated (or executed) only once approved. */
export function openApproval(run: LiveRun, step: StepRecord, planned: PlannedAction, approvalId: string, events: PendingEvent[]) {
  const s = run.state;
  const risk = step.risk!;
  const approval: PendingApproval = {
    approval_id: approvalId,
    step_id: step.id,
    action: step.action!,
    risk_score: risk.score,
    reason: risk.reason,
    expires_at: new Date(Date.now() + s.settings.approvalTtlSeconds * 1000).toISOString(),
    description: step.description,
    parameters: planned.parameters,
    parameters_hash: planned.parametersHash ?? "",
  };
  s.pendingApprovals.push(approval);
  events.push({ event: "approval_required", data: { run_id: s.id, ...approvalView(s, approval) } });
}

/** Removes the approval and applies the decision: approved lets the step start, else it is skipped. */
function resolveApproval(run: LiveRun, approval: PendingApproval, decision: "approved" | "denied" | "expired", events: PendingEvent[]) {
  const s = run.state;
  s.pendingApprovals = s.pendingApprovals.filter((a) => a !== approval);
  s.resolvedApprovals[approval.approval_id] = decision;
  events.push({ event: "approval_resolved", data: { run_id: s.id, approval_id: approval.approval_id, decision } });
  const step = s.steps.find((x) => x.id === approval.step_id)!;
  if (decision === "approved") {
    s.approvedSteps.push(step.id);
  } else {
    events.push(stepStarted(s, step));
    skipStep(s, step, decision, events, { approval_id: approval.approval_id });
    events.push(actProgress(s, step));
  }
}

/** Approvals past their deadline (frozen runs keep their clock stopped, so never here). */
export function expireApprovals(run: LiveRun, now: number, events: PendingEvent[]) {
  for (const approval of [...run.state.pendingApprovals]) {
    if (!approval.decision && Date.parse(approval.expires_at) <= now) resolveApproval(run, approval, "expired", events);
  }
}

export function approvalDeadlines(s: RunState): number[] {
  return s.pendingApprovals.filter((a) => !a.decision).map((a) => Date.parse(a.expires_at));
}

export async function decideApproval(
  run: LiveRun,
  approvalId: string,
  decision: "approved" | "denied",
  parametersHash?: string,
): Promise<DecideResult> {
  const s = run.state;
  const resolved = s.resolvedApprovals[approvalId];
  if (resolved === "cancelled") return { ok: false, reason: "not_pending", decision: resolved };
  if (resolved) return { ok: false, reason: resolved === "expired" ? "expired" : "already_decided", decision: resolved };
  const pending = s.pendingApprovals.find((a) => a.approval_id === approvalId);
  if (!pending) return { ok: false, reason: "not_found" };
  if (pending.decision) return { ok: false, reason: "already_decided", decision: pending.decision };
  if (parametersHash !== undefined && parametersHash.toLowerCase() !== pending.parameters_hash) return { ok: false, reason: "parameters_changed" };
  const events: PendingEvent[] = [];
  // The alarm may not have fired yet; the deadline is what counts (a frozen run's clock is stopped).
  if (s.status !== "frozen" && Date.now() >= Date.parse(pending.expires_at)) {
    resolveApproval(run, pending, "expired", events);
    await commitChange(run, events, { alarm: "next" });
    return { ok: false, reason: "expired", decision: "expired" };
  }
  if (s.status === "frozen" && decision === "approved") {
    // Kept and applied on resume.
    pending.decision = "approved";
    s.resolvedApprovals[approvalId] = "approved";
    events.push({ event: "approval_resolved", data: { run_id: s.id, approval_id: approvalId, decision } });
  } else {
    resolveApproval(run, pending, decision, events);
  }
  await commitChange(run, events, { alarm: "next" });
  return { ok: true, runId: s.id };
}

/** Freeze: the approval clocks stop, keeping what is left of each. */
export function pauseApprovalClocks(s: RunState, now: number) {
  for (const a of s.pendingApprovals) a.remaining_ms = Math.max(0, Date.parse(a.expires_at) - now);
}

/** Resume: approvals granted while frozen let their steps start; the others' deadlines move on. */
export function resumeApprovalClocks(s: RunState, now: number): { approval_id: string; expires_at: string }[] {
  for (const a of s.pendingApprovals.filter((x) => x.decision === "approved")) {
    s.pendingApprovals = s.pendingApprovals.filter((x) => x !== a);
    s.approvedSteps.push(a.step_id);
  }
  return s.pendingApprovals.map((a) => {
    if (a.remaining_ms !== undefined) a.expires_at = new Date(now + a.remaining_ms).toISOString();
    delete a.remaining_ms;
    return { approval_id: a.approval_id, expires_at: a.expires_at };
  });
}

/** A stopped run's approvals can no longer be decided. */
export function withdrawApprovals(s: RunState) {
  for (const a of s.pendingApprovals) s.resolvedApprovals[a.approval_id] = "cancelled";
  s.pendingApprovals = [];
}
