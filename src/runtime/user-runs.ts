import type { Database } from "../db/client";
import type { Bindings } from "../env";
import { runStub } from "./run-object";
import type { KillLevel } from "./run/control";
import { activeRunIds, allRunIds } from "./runs-store";
import { userHubStub } from "./user-hub";

/**
 * Applies a kill level to every active run of the user (D1 `runs` pending/running/frozen) and
 * returns how many it stopped (or froze). `hydra.kill` and account deletion share it.
 */
export async function killActiveRuns(env: Pick<Bindings, "RUN_OBJECT">, db: Database, userId: string, level: KillLevel, reason: string) {
  return onActiveRuns(env, db, userId, (run) => run.kill(userId, level, reason));
}

/** Applies `act` to each of the user's active runs at once; how many said yes. */
export async function onActiveRuns(env: Pick<Bindings, "RUN_OBJECT">, db: Database, userId: string, act: (run: ReturnType<typeof runStub>) => Promise<boolean>) {
  const outcomes = await Promise.all((await activeRunIds(db, userId)).map((id) => act(runStub(env, id))));
  return outcomes.filter(Boolean).length;
}

/**
 * Account deletion: every run object of the user (and their hub) forgets what it stored.
 * Idempotent, so a deletion that fails later can simply be run again.
 */
export async function eraseRuns(env: Bindings, db: Database, userId: string) {
  const ids = await allRunIds(db, userId);
  await Promise.all(ids.map((id) => runStub(env, id).erase(userId)));
  await userHubStub(env, userId).erase();
  return ids.length;
}
