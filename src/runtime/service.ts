import type { AuthenticatedUser } from "../auth/types";
import type { Database } from "../db/client";
import type { Bindings, Config } from "../env";
import { ApiError } from "../errors";
import { checkHealth } from "../health/service";
import { manifestSchema, type Manifest } from "../manifest/schema";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { llmSettingsFrom } from "./planner/llm-provider";
import { invalidParams, method, type MethodTable } from "./rpc";
import type { KillLevel } from "./run/control";
import {
  activeRunIds,
  allRunIds,
  getOwnedApprovalRow,
  getOwnedRunRow,
  insertRunRow,
  listRunRows,
  runSummary,
  updateRunRow,
  type RunRow,
} from "./runs-store";
import { runIdOfAction, type ActionRefusal } from "./run/actions";
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
import { listRunPage } from "./runs-page";
import { userHubStub } from "./user-hub";
import { ACTIVE_STATUSES, type ManifestStepInput, type RunStatus } from "./types";
import type { RunView, StepView } from "./view";

export interface RpcContext {
  env: Bindings;
  db: Database;
  config: Config;
  user: AuthenticatedUser;
  now: Date;
  /** The Worker's origin as the caller reached it (approve URLs when PUBLIC_BASE_URL is unset). */
  origin: string;
}

const DEFAULT_STATUS_LIMIT = 50;

export function runStub(env: Pick<Bindings, "RUN_OBJECT">, runId: string) {
  const ns = env.RUN_OBJECT;
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

const notActive = (runId: string, status: string) =>
  invalidParams(`Run '${runId}' is not active (status ${status})`, { field: "run_id", reason: "not_active", status });

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
    ...runSummary(row),
    steps: row.steps as StepView[],
    pending_approval: null,
    pending_approvals: [],
    actions: [],
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
    return { workflow, version: resolvedVersion, manifest: manifest.data, steps: manifestStepsOf(manifest.data) };
  } catch (err) {
    if (err instanceof ApiError && err.code === "NOT_FOUND") {
      const field = err.message.startsWith("Workflow version") ? "version" : "workflowId";
      throw invalidParams(err.message, { field, reason: "not_found" });
    }
    throw err;
  }
}

/** A manifest's steps as the run's planner takes them. */
export function manifestStepsOf(manifest: Manifest): ManifestStepInput[] {
  return manifest.steps.map((s) => ({
    id: s.id,
    name: s.name,
    action: s.action,
    depends_on: s.depends_on,
    parameters: s.parameters,
    condition: s.condition,
    retry: s.retry ? { max_attempts: s.retry.max_attempts, backoff_seconds: s.retry.backoff_seconds } : undefined,
    timeout_seconds: s.timeout_seconds,
  }));
}

/**
 * Starts a run (D1 row, then the run's object) with this deployment's settings snapshotted:
 * step delay, approval TTL, action lease, the approve page's origin and the LLM provider.
 */
export async function startRun(ctx: RpcContext, intent: string, workflow: { id: string; version: string; steps: ManifestStepInput[] } | null) {
  const runId = crypto.randomUUID();
  const now = ctx.now.toISOString();
  const run = {
    runId,
    userId: ctx.user.id,
    intent,
    workflowId: workflow?.id ?? null,
    workflowVersion: workflow?.version ?? null,
    manifestSteps: workflow?.steps ?? null,
    settings: {
      stepDelayMs: ctx.config.RUNTIME_STEP_DELAY_MS,
      approvalTtlSeconds: ctx.config.APPROVAL_TTL_SECONDS,
      actionLeaseSeconds: ctx.config.ACTION_LEASE_SECONDS,
      publicBaseUrl: (ctx.config.PUBLIC_BASE_URL ?? ctx.origin).replace(/\/+$/, ""),
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
  return runId;
}

/** A refusal from a run's object as the JSON-RPC error: -32602 with `data.reason`. */
function unwrap<T extends object>(result: T | ActionRefusal, field: string, value: string): T {
  if (!("refused" in result)) return result;
  const message = result.refused === "not_found" ? `${field === "run_id" ? "Run" : "Action"} '${value}' was not found` : result.message;
  throw invalidParams(message, { field, reason: result.refused, ...(result.status ? { status: result.status } : {}) });
}

/** The run an action id names, if the caller owns it; others' and unknown ones are not found. */
async function runOfAction(ctx: RpcContext, actionId: string): Promise<string> {
  const runId = runIdOfAction(actionId);
  const row = runId ? await getOwnedRunRow(ctx.db, runId, ctx.user.id) : undefined;
  if (!row) throw invalidParams(`Action '${actionId}' was not found`, { field: "action_id", reason: "not_found" });
  return row.id;
}

/** How many of a user's active runs one next_action without run_id looks at (oldest first). */
const MAX_RUNS_SCANNED = 50;

/**
 * next_action across the caller's runs: the oldest ready action of any active run. A long poll
 * waits on the user's hub, which counts delegated actions, so nothing is polled in a loop.
 */
async function nextActionOfAnyRun(ctx: RpcContext, waitMs: number, only: string[] | undefined) {
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
    const ids = await activeRunIds(ctx.db, ctx.user.id);
    const outcomes = await Promise.all(ids.map((id) => runStub(ctx.env, id).resume(ctx.user.id)));
    return { success: true, resumed_runs: outcomes.filter(Boolean).length };
  }),

  "hydra.approve": method(approveParams, async (p, ctx) => {
    const row = await getOwnedApprovalRow(ctx.db, p.approval_id, ctx.user.id);
    const notFound = () => invalidParams(`Approval '${p.approval_id}' was not found`, { field: "approval_id", reason: "not_found" });
    if (!row) throw notFound();
    const outcome = await runStub(ctx.env, row.runId).decide(ctx.user.id, p.approval_id, p.decision, p.parameters_hash);
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
        case "parameters_changed":
          throw invalidParams(`The parameters of approval '${p.approval_id}' are not the ones you saw; look again before deciding`, {
            field: "parameters_hash",
            reason: "parameters_changed",
          });
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
