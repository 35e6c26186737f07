import type { RpcContext } from "./rpc-context";
import { runStub } from "./run-object";
import { activeRunIds } from "./runs-store";
import { userHubStub } from "./user-hub";

/** How many of a user's active runs one next_action without run_id looks at (oldest first). */
const MAX_RUNS_SCANNED = 50;

/**
 * next_action across the caller's runs: the oldest ready action of any active run. A long poll
 * waits on the user's hub, which counts delegated actions, so nothing is polled in a loop.
 */
export async function nextActionOfAnyRun(ctx: RpcContext, waitMs: number, only: string[] | undefined) {
  const hub = userHubStub(ctx.env, ctx.user.id);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const seen = await hub.actionCount();
    const ids = (await activeRunIds(ctx.db, ctx.user.id)).slice(0, MAX_RUNS_SCANNED);
    const peeks = await Promise.all(ids.map(async (id) => ({ id, ...(await runStub(ctx.env, id).peekAction(ctx.user.id, only)) })));
    const ready = peeks.filter((p) => p.readyAt !== null).sort((a, b) => a.readyAt!.localeCompare(b.readyAt!));
    for (const candidate of ready) {
      const claimed = await runStub(ctx.env, candidate.id).nextAction(ctx.user.id, 0, only);
      if ("action" in claimed && claimed.action) return { action: claimed.action };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const waiting = peeks.find((p) => p.waitingFor)?.waitingFor;
      return waiting ? { action: null, waiting_for: waiting } : { action: null };
    }
    await hub.waitForAction(seen, left);
  }
}
