import { runLogger } from "../../log";
import { isTerminal } from "../types";
import { pauseApprovalClocks, resumeApprovalClocks, withdrawApprovals } from "./approvals";
import type { LiveRun } from "./context";
import { commitChange } from "./after-commit";
import { stampEnd } from "./steps";

export type KillLevel = "instant" | "graceful" | "freeze";
type StopLevel = "cancel" | "instant" | "graceful";

/** Stops the run now (in-flight calls aborted). False when it was not active. */
export async function cancelRun(run: LiveRun, reason: string, level: StopLevel): Promise<boolean> {
  if (isTerminal(run.state.status)) return false;
  await stopRun(run, reason, level);
  return true;
}

/** Applies one kill level; true when this run counts as stopped (or frozen). */
export async function killRun(run: LiveRun, level: KillLevel, reason: string): Promise<boolean> {
  const s = run.state;
  if (isTerminal(s.status)) return false;
  if (level === "instant") return cancelRun(run, reason, "instant");
  if (level === "graceful") {
    // Between phases (idle, waiting for an approval, frozen) graceful stops at once.
    if ((run.inflight || run.executing.size > 0) && s.status === "running") {
      s.stopAfterPhase = reason;
      run.journal.commit(s, []);
      return true;
    }
    return cancelRun(run, reason, "graceful");
  }
  if (s.status === "frozen") return false;
  s.status = "frozen";
  // The clocks stop: approvals and leases keep what was left of them.
  const now = Date.now();
  pauseApprovalClocks(s, now);
  for (const a of s.actions) if (a.state === "leased" && a.lease_expires_at) a.lease_remaining_ms = Math.max(0, Date.parse(a.lease_expires_at) - now);
  await commitChange(run, [{ event: "run_frozen", data: { run_id: s.id, reason } }], { alarm: "clear", row: true });
  return true;
}

export async function resumeRun(run: LiveRun): Promise<boolean> {
  const s = run.state;
  if (s.status !== "frozen") return false;
  s.status = "running";
  const now = Date.now();
  const approvals = resumeApprovalClocks(s, now);
  for (const a of s.actions) {
    if (a.lease_remaining_ms === undefined) continue;
    a.lease_expires_at = new Date(now + a.lease_remaining_ms).toISOString();
    delete a.lease_remaining_ms;
  }
  await commitChange(run, [{ event: "run_resumed", data: { run_id: s.id, approvals } }], { alarm: "next", row: true });
  return true;
}

export async function stopRun(run: LiveRun, reason: string, level: StopLevel) {
  const s = run.state;
  run.inflight?.abort();
  run.inflight = null;
  for (const controller of run.executing.values()) controller.abort();
  run.executing.clear();
  withdrawApprovals(s);
  for (const step of s.steps) {
    if (step.status === "pending" || step.status === "running") {
      step.status = "skipped";
      step.outcome = "cancelled";
      stampEnd(step);
    }
  }
  s.status = "cancelled";
  s.phase = "done";
  s.stopAfterPhase = null;
  s.completedAt = new Date().toISOString();
  s.error = reason;
  await commitChange(run, [{ event: "run_cancelled", data: { run_id: s.id, reason, level } }], { alarm: "clear", row: true });
}

/** An unexpected error: the running step fails, the rest are skipped, and the client gets a generic error. */
export async function failRun(run: LiveRun, err: unknown) {
  const s = run.state;
  for (const controller of run.executing.values()) controller.abort();
  run.executing.clear();
  withdrawApprovals(s);
  runLogger(s.id).error("run failed", { error: String(err), stack: (err as Error)?.stack });
  for (const step of s.steps) {
    if (step.status === "running") {
      step.status = "failed";
      step.outcome = "failed";
      stampEnd(step);
    } else if (step.status === "pending") {
      step.status = "skipped";
      step.outcome = "dependency_skipped";
    }
  }
  s.status = "failed";
  s.phase = "done";
  s.error = "The run failed unexpectedly";
  s.completedAt = new Date().toISOString();
  await commitChange(run, [{ event: "run_error", data: { run_id: s.id, error: s.error } }], { alarm: "clear", row: true });
}
