import { ApiError } from "../errors";
import { manifestSchema, type Manifest } from "../manifest/schema";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { llmSettingsFrom } from "./planner/llm-provider";
import { invalidParams } from "./rpc";
import type { RpcContext } from "./rpc-context";
import { runStub } from "./run-object";
import { insertRunRow, updateRunRow } from "./runs-store";
import type { ManifestStepInput } from "./types";

/** A workflow version a run is started from: its manifest, and its steps as the planner takes them. */
export async function resolveWorkflow(ctx: RpcContext, workflowId: string, version: string | undefined) {
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
