import type { LiveRun } from "./context";

/** The next alarm: a phase after the step delay, or the pending approval's expiry. */
export async function scheduleNext(run: LiveRun) {
  const s = run.state;
  if (s.status !== "running" || s.phase === "done" || run.inflight) return;
  const at = s.pendingApproval ? Date.parse(s.pendingApproval.expires_at) : Date.now() + s.settings.stepDelayMs;
  await run.storage.setAlarm(at);
}

/** After a restart nothing may be left without an alarm to drive it. */
export async function ensureProgress(run: LiveRun) {
  const s = run.state;
  if (s.status !== "running" || s.phase === "done" || run.inflight) return;
  if ((await run.storage.getAlarm()) === null) await scheduleNext(run);
}
