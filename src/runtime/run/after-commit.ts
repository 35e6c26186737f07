import type { LiveRun } from "./context";
import { scheduleNext } from "./schedule";
import type { PendingEvent } from "./steps";

/** What follows a committed change (see `afterCommit`). */
interface After {
  alarm: "next" | "clear";
  row?: boolean;
}

/**
 * What follows a committed change: the next alarm (`next`: as the run's state asks for,
 * `clear`: none), the D1 history row when the change shows in history
 * (status, steps, tokens), then the events to the user's hub. In this order, so the hub never
 * announces a change that a restart would lose the alarm for.
 */
export async function afterCommit(run: LiveRun, { alarm, row = false }: After) {
  if (alarm === "next") await scheduleNext(run);
  else await run.storage.deleteAlarm();
  if (row) await run.journal.syncRow(run.state);
  await run.journal.flushToHub(run.state);
}

/** Commits the run's state with `events`, then does what follows it (see `afterCommit`). */
export async function commitChange(run: LiveRun, events: PendingEvent[], after: After) {
  run.journal.commit(run.state, events);
  await afterCommit(run, after);
}
