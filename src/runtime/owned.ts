import { invalidParams } from "./rpc";
import type { RpcContext } from "./rpc-context";
import { runIdOfAction, type ActionRefusal } from "./run/actions";
import { getOwnedRunRow, type RunRow } from "./runs-store";
import { ACTIVE_STATUSES, type RunStatus } from "./types";

/**
 * What a method may act on: runs and actions the caller owns, as JSON-RPC -32602 otherwise.
 * Others' runs are indistinguishable from missing ones.
 */

export const isActive = (status: string) => ACTIVE_STATUSES.includes(status as RunStatus);

export const notActive = (runId: string, status: string) =>
  invalidParams(`Run '${runId}' is not active (status ${status})`, { field: "run_id", reason: "not_active", status });

const runNotFound = (runId: string) => invalidParams(`Run '${runId}' was not found`, { field: "run_id", reason: "not_found" });

/** The caller's run row (D1), or -32602 not_found. */
export async function ownedRun(ctx: RpcContext, runId: string): Promise<RunRow> {
  const row = await getOwnedRunRow(ctx.db, runId, ctx.user.id);
  if (!row) throw runNotFound(runId);
  return row;
}

/** The run an action id names, if the caller owns it; others' and unknown ones are not found. */
export async function runOfAction(ctx: RpcContext, actionId: string): Promise<string> {
  const runId = runIdOfAction(actionId);
  const row = runId ? await getOwnedRunRow(ctx.db, runId, ctx.user.id) : undefined;
  if (!row) throw invalidParams(`Action '${actionId}' was not found`, { field: "action_id", reason: "not_found" });
  return row.id;
}

/** A refusal from a run's object as the JSON-RPC error: -32602 with `data.reason`. */
export function unwrap<T extends object>(result: T | ActionRefusal, field: string, value: string): T {
  if (!("refused" in result)) return result;
  const message = result.refused === "not_found" ? `${field === "run_id" ? "Run" : "Action"} '${value}' was not found` : result.message;
  throw invalidParams(message, { field, reason: result.refused, ...(result.status ? { status: result.status } : {}) });
}
