import { checkHealth } from "../health/service";
import { dispatchRequest, method, rethrow, type MethodTable } from "../http/jsonrpc-dispatch";
import type { FramingRules } from "../http/jsonrpc-framing";
import { invalidParams } from "./rpc";
import type { RpcContext } from "./rpc-context";
import { nextActionOfAnyRun } from "./next-action";
import { isActive, notActive, ownedRun, runOfAction, unwrap } from "./owned";
import { runStub } from "./run-object";
import type { DecideResult } from "./run/approvals";
import { getOwnedApprovalRow, listRunRows } from "./runs-store";
import { listRunPage } from "./runs-page";
import {
  approveParams,
  cancelParams,
  healthParams,
  heartbeatParams,
  killParams,
  nextActionParams,
  reportParams,
  resumeParams,
  runParams,
  runsParams,
  statusParams,
} from "./schemas";
import { resolveWorkflow, startRun } from "./start";
import { viewOf } from "./status";
import { killActiveRuns, onActiveRuns } from "./user-runs";

const DEFAULT_STATUS_LIMIT = 50;

/** A decision the run's object refused, as the JSON-RPC error (-32602 with `data.reason`). */
function decisionRefused(approvalId: string, outcome: Exclude<DecideResult, { ok: true }>) {
  switch (outcome.reason) {
    case "already_decided":
      return invalidParams(`Approval '${approvalId}' was already decided (${outcome.decision})`, {
        field: "approval_id",
        reason: "already_decided",
        decision: outcome.decision,
      });
    case "expired":
      return invalidParams(`Approval '${approvalId}' has expired`, { field: "approval_id", reason: "expired" });
    case "parameters_changed":
      return invalidParams(`The parameters of approval '${approvalId}' are not the ones you saw; look again before deciding`, {
        field: "parameters_hash",
        reason: "parameters_changed",
      });
    case "not_pending":
      return invalidParams(`Approval '${approvalId}' is no longer pending: its run was stopped`, { field: "approval_id", reason: "not_pending" });
    default:
      return approvalNotFound(approvalId);
  }
}

const approvalNotFound = (approvalId: string) => invalidParams(`Approval '${approvalId}' was not found`, { field: "approval_id", reason: "not_found" });

/** The `hydra.*` JSON-RPC methods: params schema and handler, for /rpc, MCP run tools and the dashboard. */
export const runtimeMethods: MethodTable<RpcContext> = {
  "hydra.run": method(runParams, async (p, ctx) => {
    let intent = p.intent;
    let workflow: Awaited<ReturnType<typeof resolveWorkflow>> | null = null;
    if (p.workflowId) {
      workflow = await resolveWorkflow(ctx, p.workflowId, p.version);
      intent ??= workflow.manifest.intent ?? workflow.manifest.name;
    }
    const runId = await startRun(ctx, intent!, workflow && { id: workflow.workflow.id, version: workflow.version, steps: workflow.steps });
    return { run_id: runId, status: "accepted" };
  }),

  "hydra.runs": method(runsParams, async (p, ctx) => listRunPage(ctx.db, ctx.user.id, p)),

  "hydra.next_action": method(nextActionParams, async (p, ctx) => {
    const waitMs = Math.round(p.wait_seconds * 1000);
    if (p.run_id) {
      const row = await ownedRun(ctx, p.run_id);
      if (!isActive(row.status)) throw notActive(row.id, row.status);
      return unwrap(await runStub(ctx.env, row.id).nextAction(ctx.user.id, waitMs, p.actions), "run_id", p.run_id);
    }
    return nextActionOfAnyRun(ctx, waitMs, p.actions);
  }),

  "hydra.heartbeat_action": method(heartbeatParams, async (p, ctx) => {
    const runId = await runOfAction(ctx, p.action_id);
    return unwrap(await runStub(ctx.env, runId).heartbeatAction(ctx.user.id, p.action_id), "action_id", p.action_id);
  }),

  "hydra.report_action": method(reportParams, async (p, ctx) => {
    const runId = await runOfAction(ctx, p.action_id);
    const report = { outcome: p.outcome, output: p.output, error: p.error };
    return unwrap(await runStub(ctx.env, runId).reportAction(ctx.user.id, p.action_id, report), "action_id", p.action_id);
  }),

  "hydra.status": method(statusParams, async (p, ctx) => {
    if (p.run_id) return { runs: [await viewOf(ctx, await ownedRun(ctx, p.run_id))] };
    const rows = await listRunRows(ctx.db, ctx.user.id, p.limit ?? DEFAULT_STATUS_LIMIT);
    return { runs: await Promise.all(rows.map((row) => viewOf(ctx, row))) };
  }),

  "hydra.cancel": method(cancelParams, async (p, ctx) => {
    const row = await ownedRun(ctx, p.run_id);
    const stopped = isActive(row.status) && (await runStub(ctx.env, row.id).cancel(ctx.user.id, p.reason ?? "Cancelled by user"));
    if (!stopped) throw notActive(p.run_id, (await ownedRun(ctx, p.run_id)).status);
    return { success: true, run_id: row.id, status: "cancelled" };
  }),

  "hydra.kill": method(killParams, async (p, ctx) => {
    const cancelled = await killActiveRuns(ctx.env, ctx.db, ctx.user.id, p.level, p.reason ?? `Kill switch (${p.level})`);
    return { success: true, level: p.level, cancelled_runs: cancelled };
  }),

  "hydra.resume": method(resumeParams, async (p, ctx) => {
    if (p.run_id) {
      const row = await ownedRun(ctx, p.run_id);
      if (!(await runStub(ctx.env, row.id).resume(ctx.user.id))) {
        const current = await ownedRun(ctx, p.run_id);
        throw invalidParams(`Run '${p.run_id}' is not frozen (status ${current.status})`, { field: "run_id", reason: "not_frozen", status: current.status });
      }
      return { success: true, resumed_runs: 1 };
    }
    return { success: true, resumed_runs: await onActiveRuns(ctx.env, ctx.db, ctx.user.id, (run) => run.resume(ctx.user.id)) };
  }),

  "hydra.approve": method(approveParams, async (p, ctx) => {
    const row = await getOwnedApprovalRow(ctx.db, p.approval_id, ctx.user.id);
    if (!row) throw approvalNotFound(p.approval_id);
    const outcome = await runStub(ctx.env, row.runId).decide(ctx.user.id, p.approval_id, p.decision, p.parameters_hash);
    if (!outcome.ok) throw decisionRefused(p.approval_id, outcome);
    return { success: true, approval_id: p.approval_id, run_id: outcome.runId, decision: p.decision };
  }),

  "hydra.health": method(healthParams, async (_p, ctx) => checkHealth(ctx.env, ctx.config, ctx.log)),
};

/**
 * A runtime method called from inside the Worker (MCP run tools, dashboard pages) through the
 * dispatcher /rpc uses: the same params validation and errors. Crashes go to the app's error handler.
 */
export const callRuntimeMethod = (name: string, params: Record<string, unknown>, ctx: RpcContext, detail: FramingRules["detail"]) =>
  dispatchRequest({ id: null, method: name, params }, runtimeMethods, ctx, { detail, onInternal: rethrow });
