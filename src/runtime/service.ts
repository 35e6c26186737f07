import type { AuthenticatedUser } from "../auth/types";
import type { Database } from "../db/client";
import type { Bindings, Config } from "../env";
import { ApiError } from "../errors";
import { checkHealth } from "../health/service";
import { manifestSchema } from "../manifest/schema";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { llmSettingsFrom } from "./planner/llm-provider";
import { invalidParams, method, type MethodTable } from "./rpc";
import type { RunObject } from "./run-object";
import type { KillLevel } from "./run/control";
import {
  activeRunIds,
  allRunIds,
  getOwnedApprovalRow,
  getOwnedRunRow,
  insertRunRow,
  listRunRows,
  updateRunRow,
  type RunRow,
} from "./runs-store";
import { approveParams, cancelParams, healthParams, killParams, resumeParams, runParams, statusParams } from "./schemas";
import { userHubStub } from "./user-hub";
import { ACTIVE_STATUSES, type ManifestStepInput, type RunStatus } from "./types";
import type { RunView, StepView } from "./view";

export interface RpcContext {
  env: Bindings;
  db: Database;
  config: Config;
  user: AuthenticatedUser;
  now: Date;
}

const DEFAULT_STATUS_LIMIT = 50;

export function runStub(env: Pick<Bindings, "RUN_OBJECT">, runId: string) {
  const ns = env.RUN_OBJECT as unknown as DurableObjectNamespace<RunObject>;
  return ns.get(ns.idFromName(runId));
}

/**
 * Applies a kill level to every active run of the user (D1 `runs` pending/running/frozen) and
 * returns how many it stopped (or froze). `hydra.kill` and account deletion share it.
 */
export async function killActiveRuns(env: Pick<Bindings, "RUN_OBJECT">, db: Database, userId: string, level: KillLevel, reason: string) {
  const ids = await activeRunIds(db, userId);
  const outcomes = await Promise.all(ids.map((id) => runStub(env, id).kill(userId, level, reason)));
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

const runNotFound = (runId: string) => invalidParams(`Run '${runId}' was not found`, { field: "run_id", reason: "not_found" });

/** Others' runs are indistinguishable from missing ones. */
async function ownedRun(ctx: RpcContext, runId: string): Promise<RunRow> {
  const row = await getOwnedRunRow(ctx.db, runId, ctx.user.id);
  if (!row) throw runNotFound(runId);
  return row;
}

const isActive = (status: string) => ACTIVE_STATUSES.includes(status as RunStatus);

function historyView(row: RunRow): RunView {
  return {
    id: row.id,
    intent: row.intent,
    status: row.status as RunStatus,
    workflow_id: row.workflowId,
    workflow_version: row.workflowVersion,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    completed_at: row.completedAt,
    tokens_used: row.tokensUsed,
    error: row.error,
    steps: row.steps as StepView[],
    pending_approval: null,
  };
}

/** Live runs from their Durable Object, finished ones from D1 history. */
async function viewOf(ctx: RpcContext, row: RunRow): Promise<RunView> {
  if (!isActive(row.status)) return historyView(row);
  return (await runStub(ctx.env, row.id).snapshot(ctx.user.id)) ?? historyView(row);
}

async function resolveWorkflow(ctx: RpcContext, workflowId: string, version: string | undefined) {
  try {
    const workflow = await getVisibleWorkflow(ctx.db, workflowId, ctx.user.id);
    const resolvedVersion = version ?? workflow.currentVersion;
    const raw = await getManifest(ctx.db, workflow.id, resolvedVersion);
    const manifest = manifestSchema.safeParse(raw);
    if (!manifest.success) throw invalidParams("The workflow's stored manifest is not valid", { field: "workflowId", reason: "invalid_manifest" });
    const steps: ManifestStepInput[] = manifest.data.steps.map((s) => ({
      id: s.id,
      name: s.name,
      action: s.action,
      depends_on: s.depends_on,
      parameters: s.parameters,
    }));
    return { workflow, version: resolvedVersion, manifest: manifest.data, steps };
  } catch (err) {
    if (err instanceof ApiError && err.code === "NOT_FOUND") {
      const field = err.message.startsWith("Workflow version") ? "version" : "workflowId";
      throw invalidParams(err.message, { field, reason: "not_found" });
    }
    throw err;
  }
}

export const runtimeMethods: MethodTable<RpcContext> = {
  "hydra.run": method(runParams, async (p, ctx) => {
    let intent = p.intent;
    let workflow: Awaited<ReturnType<typeof resolveWorkflow>> | null = null;
    if (p.workflowId) {
      workflow = await resolveWorkflow(ctx, p.workflowId, p.version);
      intent ??= workflow.manifest.intent ?? workflow.manifest.name;
    }
    const runId = crypto.randomUUID();
    const now = ctx.now.toISOString();
    const run = {
      runId,
      userId: ctx.user.id,
      intent: intent!,
      workflowId: workflow?.workflow.id ?? null,
      workflowVersion: workflow?.version ?? null,
      manifestSteps: workflow?.steps ?? null,
      settings: {
        stepDelayMs: ctx.config.RUNTIME_STEP_DELAY_MS,
        approvalTtlSeconds: ctx.config.APPROVAL_TTL_SECONDS,
        llm: llmSettingsFrom(ctx.config),
        dohUrl: ctx.config.INTEGRATION_DOH_URL ?? null,
      },
      now,
    };
    await insertRunRow(ctx.db, { id: runId, userId: run.userId, intent: run.intent, workflowId: run.workflowId, workflowVersion: run.workflowVersion, now });
    try {
      await runStub(ctx.env, runId).start(run);
    } catch (err) {
      await updateRunRow(ctx.db, runId, { status: "failed", error: "The run could not be started", completedAt: now, updatedAt: now });
      throw err;
    }
    return { run_id: runId, status: "accepted" };
  }),

  "hydra.status": method(statusParams, async (p, ctx) => {
    if (p.run_id) return { runs: [await viewOf(ctx, await ownedRun(ctx, p.run_id))] };
    const rows = await listRunRows(ctx.db, ctx.user.id, p.limit ?? DEFAULT_STATUS_LIMIT);
    return { runs: await Promise.all(rows.map((row) => viewOf(ctx, row))) };
  }),

  "hydra.cancel": method(cancelParams, async (p, ctx) => {
    const row = await ownedRun(ctx, p.run_id);
    const stopped = isActive(row.status) && (await runStub(ctx.env, row.id).cancel(ctx.user.id, p.reason ?? "Cancelled by user"));
    if (!stopped) {
      const current = await ownedRun(ctx, p.run_id);
      throw invalidParams(`Run '${p.run_id}' is not active (status ${current.status})`, { field: "run_id", reason: "not_active", status: current.status });
    }
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
    const ids = await activeRunIds(ctx.db, ctx.user.id);
    const outcomes = await Promise.all(ids.map((id) => runStub(ctx.env, id).resume(ctx.user.id)));
    return { success: true, resumed_runs: outcomes.filter(Boolean).length };
  }),

  "hydra.approve": method(approveParams, async (p, ctx) => {
    const row = await getOwnedApprovalRow(ctx.db, p.approval_id, ctx.user.id);
    const notFound = () => invalidParams(`Approval '${p.approval_id}' was not found`, { field: "approval_id", reason: "not_found" });
    if (!row) throw notFound();
    const outcome = await runStub(ctx.env, row.runId).decide(ctx.user.id, p.approval_id, p.decision);
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "already_decided":
          throw invalidParams(`Approval '${p.approval_id}' was already decided (${outcome.decision})`, {
            field: "approval_id",
            reason: "already_decided",
            decision: outcome.decision,
          });
        case "expired":
          throw invalidParams(`Approval '${p.approval_id}' has expired`, { field: "approval_id", reason: "expired" });
        case "not_pending":
          throw invalidParams(`Approval '${p.approval_id}' is no longer pending: its run was stopped`, { field: "approval_id", reason: "not_pending" });
        default:
          throw notFound();
      }
    }
    return { success: true, approval_id: p.approval_id, run_id: outcome.runId, decision: p.decision };
  }),

  "hydra.health": method(healthParams, async (_p, ctx) => checkHealth(ctx.env, ctx.config)),
};
