import { hasImmediateWork } from "./act";
import { actionDeadlines } from "./actions";
import { approvalDeadlines } from "./approvals";
import type { LiveRun } from "./context";

/** While in-Worker steps execute, an alarm checks on them in case this instance dies. */
const EXECUTION_WATCHDOG_MS = 60_000;

/**
 * The next alarm: a pass after the step delay when there is something to do now, else the
 * earliest deadline (an approval's expiry, a lease, a retry's backoff). A run that only waits
 * for workstations to claim its actions needs no alarm at all.
 */
export async function scheduleNext(run: LiveRun) {
  const s = run.state;
  if (s.status !== "running" || s.phase === "done" || run.inflight) return;
  const now = Date.now();
  if (s.phase !== "act" || hasImmediateWork(run, now)) {
    s.alarm = { at: now + s.settings.stepDelayMs, kind: "tick" };
  } else {
    const deadlines = [...approvalDeadlines(s), ...actionDeadlines(s)];
    for (const step of s.steps) if (step.status === "running" && step.nextAttemptAt) deadlines.push(Date.parse(step.nextAttemptAt));
    if (run.executing.size > 0) deadlines.push(now + EXECUTION_WATCHDOG_MS);
    if (deadlines.length === 0) {
      s.alarm = null;
      await run.storage.deleteAlarm();
      return;
    }
    s.alarm = { at: Math.min(...deadlines), kind: "deadline" };
  }
  await run.storage.setAlarm(s.alarm.at);
}

/**
 * The time an alarm acts at: a deadline alarm behaves as if its deadline had come, even if it
 * fires a little early, so what it was set for always happens.
 */
export function alarmTime(run: LiveRun): number {
  const alarm = run.state.alarm;
  return alarm?.kind === "deadline" ? Math.max(Date.now(), alarm.at) : Date.now();
}

/** After a restart nothing may be left without an alarm to drive it. */
export async function ensureProgress(run: LiveRun) {
  const s = run.state;
  if (s.status !== "running" || s.phase === "done" || run.inflight) return;
  if ((await run.storage.getAlarm()) === null) await scheduleNext(run);
}
