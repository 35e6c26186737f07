import type { RpcContext } from "./rpc-context";
import { runStub } from "./run-object";
import { runSummary, type RunRow } from "./runs-store";
import { isActive } from "./owned";
import type { RunView, StepView } from "./view";

/** A finished run as its D1 history row keeps it. */
function historyView(row: RunRow): RunView {
  return {
    ...runSummary(row),
    steps: row.steps as StepView[],
    pending_approval: null,
    pending_approvals: [],
    actions: [],
  };
}

/** hydra.status for one run: live runs from their Durable Object, finished ones from D1 history. */
export async function viewOf(ctx: RpcContext, row: RunRow): Promise<RunView> {
  if (!isActive(row.status)) return historyView(row);
  return (await runStub(ctx.env, row.id).snapshot(ctx.user.id)) ?? historyView(row);
}
