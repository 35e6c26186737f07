import type { Context } from "hono";
import { identifyMcpCaller } from "../oauth/mcp-access";
import type { DeploymentRecord, ServedWorkflow } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { z } from "zod";
import { JSONRPC, RpcError } from "../http/jsonrpc";
import { MAX_WAIT_SECONDS } from "../runtime/schemas";
import { callRuntimeMethod } from "../runtime/methods";
import { rpcContextOf, type RpcContext } from "../runtime/rpc-context";
import { manifestStepsOf, startRun } from "../runtime/start";
import { callTool, listing, tool, toolArguments, toolInput, type Tool, type ToolResult } from "./tool-table";

/**
 * Tools that let the agent in the IDE drive runs of this deployment's workflows: start one,
 * take its actions one by one, report them, watch it, cancel it. Only for the deployment's
 * authenticated owner (never on anonymous connections), and none of them approves anything:
 * approvals are a person's decision (hydra.approve, or the run page).
 */
interface RunToolContext {
  rpc: RpcContext;
  record: DeploymentRecord;
}

const WORKFLOW_TOOL_PREFIX = "workflow_";

const result = (text: string, structured: Record<string, unknown>): ToolResult => ({ content: [{ type: "text", text }], structuredContent: structured });

function refusal(message: string, reason: string, data?: unknown): ToolResult {
  return {
    content: [{ type: "text", text: `Refused (${reason}): ${message}` }],
    structuredContent: { error: { reason, message, ...(data && typeof data === "object" ? { data } : {}) } },
    isError: true,
  };
}

/** Calls a runtime JSON-RPC method through the dispatcher /rpc uses (same validation, same errors). */
async function callMethod(name: string, params: Record<string, unknown>, ctx: RpcContext): Promise<Record<string, unknown>> {
  const response = await callRuntimeMethod(name, params, ctx, "data");
  if ("error" in response) {
    const data = (response.error.data ?? {}) as Record<string, unknown>;
    throw new RpcError(response.error.code, response.error.message, { reason: "invalid_params", ...data });
  }
  return response.result as Record<string, unknown>;
}

function findServed(record: DeploymentRecord, ref: string): ServedWorkflow | undefined {
  const slug = ref.startsWith(WORKFLOW_TOOL_PREFIX) ? ref.slice(WORKFLOW_TOOL_PREFIX.length) : ref;
  return record.workflows.find((w) => w.workflowId === ref || w.promptName === ref || w.promptName === slug);
}

function nextActionText(out: Record<string, unknown>): string {
  const action = out.action as { action_id: string; attempt: number; instructions: string } | null;
  if (action) {
    return [
      `Action ${action.action_id} (attempt ${action.attempt}):`,
      action.instructions,
      "",
      `Do it now, then call report_action {action_id: "${action.action_id}", outcome: "succeeded" or "failed", output: what you did or found}.`,
    ].join("\n");
  }
  const waiting = out.waiting_for as { description: string; approve_url: string } | undefined;
  if (waiting) {
    return `The run waits for a person to approve "${waiting.description}" at ${waiting.approve_url}. You cannot approve it: ask the user to decide there, then call next_action again.`;
  }
  return "No action is ready yet. Call next_action again with wait_seconds 25; if the run is finished, run_status says so.";
}

const runId = z.string({ error: "run_id is required" }).describe("The run_id start_run returned");
const RUN_ID_INPUT = toolInput(toolArguments({ run_id: runId }));

export const RUN_TOOLS: Tool<RunToolContext>[] = [
  tool({
    name: "start_run",
    description: "Start a tracked Hydra run of one of this deployment's workflows. Then drive it with next_action / report_action until it completes.",
    input: toolInput(
      toolArguments({
        workflow: z.string({ error: "workflow is required" }).describe("The workflow's id, or the <slug> of its workflow_<slug> tool"),
        task: z
          .string({ error: "task must be a string of at most 4000 characters" })
          .max(4000, "task must be a string of at most 4000 characters")
          .describe("What to apply the workflow to (becomes the run's intent)")
          .optional(),
      }),
    ),
    annotations: { openWorldHint: false },
    handler: async (args, { rpc, record }) => {
      const served = findServed(record, args.workflow);
      if (!served) return refusal(`Unknown workflow '${args.workflow}'; call list_workflows for the ids and names`, "not_found");
      const task = args.task?.trim() || undefined;
      const intent = task ?? served.manifest.intent ?? served.manifest.name;
      const runId = await startRun(rpc, intent, { id: served.workflowId, version: served.version, steps: manifestStepsOf(served.manifest) });
      return result(`Run ${runId} of "${served.name}" v${served.version} started. Call next_action {run_id: "${runId}", wait_seconds: 25} for its first action.`, {
        run_id: runId,
        workflow_id: served.workflowId,
        version: served.version,
      });
    },
  }),
  tool({
    name: "next_action",
    description: "Claim the run's next ready action (with a lease). Waits up to wait_seconds for one; says so when the run waits for a person's approval.",
    input: toolInput(
      toolArguments({
        run_id: runId,
        wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).describe(`Long poll, 0-${MAX_WAIT_SECONDS} (default 0)`).optional(),
      }),
    ),
    annotations: { openWorldHint: false },
    handler: async (args, { rpc }) => {
      const out = await callMethod("hydra.next_action", args, rpc);
      return result(nextActionText(out), out);
    },
  }),
  tool({
    name: "report_action",
    description: "Report the result of an action you performed; the run goes on with it (its dependents get your output as input).",
    input: toolInput(
      toolArguments({
        action_id: z.string({ error: "action_id is required" }),
        outcome: z.enum(["succeeded", "failed"], { error: 'outcome must be "succeeded" or "failed"' }),
        output: z.string().describe("What you did or found (at most 64 KB)").optional(),
        error: z.string().describe("Why it failed").optional(),
      }),
    ),
    annotations: { openWorldHint: false },
    handler: async (args, { rpc }) => {
      const out = await callMethod("hydra.report_action", args, rpc);
      const again = out.duplicate ? " (already reported; nothing changed)" : "";
      return result(`Reported${again}. The step is ${String(out.status)}. Call next_action {run_id: "${String(out.run_id)}", wait_seconds: 25} for the next action.`, out);
    },
  }),
  tool({
    name: "run_status",
    description: "A run's status, its steps (inputs, outputs, attempts) and the approvals it waits for.",
    input: RUN_ID_INPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, { rpc }) => {
      const out = await callMethod("hydra.status", { run_id: args.run_id }, rpc);
      const run = (out.runs as Record<string, unknown>[])[0]!;
      const steps = (run.steps as { phase: string; status: string }[]).filter((s) => s.phase === "act");
      const done = steps.filter((s) => s.status !== "pending" && s.status !== "running").length;
      const approvals = (run.pending_approvals as { description: string; approve_url: string }[]) ?? [];
      const waiting = approvals.length ? ` Waiting for a person to approve: ${approvals.map((a) => `"${a.description}" (${a.approve_url})`).join(", ")}.` : "";
      return result(`Run ${String(run.id)} is ${String(run.status)}: ${done} of ${steps.length} steps finished.${waiting}`, run);
    },
  }),
  tool({
    name: "cancel_run",
    description: "Cancel a run: its open actions are withdrawn and nothing more of it runs.",
    input: RUN_ID_INPUT,
    annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    handler: async (args, { rpc }) => {
      const out = await callMethod("hydra.cancel", { run_id: args.run_id, reason: "Cancelled from the IDE" }, rpc);
      return result(`Run ${args.run_id} is cancelled.`, out);
    },
  }),
];

/** The run tools' `tools/list` entries, derived once. */
export const RUN_TOOL_LISTING = RUN_TOOLS.map(listing);

export const runTool = (name: string) => RUN_TOOLS.find((t) => t.name === name);

/** The user a request's credential names (the endpoint's own check), or null without a valid one. */
async function credentialUser(c: Context<AppEnv>, record: DeploymentRecord): Promise<string | null> {
  if (!c.req.header("Authorization")) return null;
  try {
    return await identifyMcpCaller(c, record);
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

/**
 * The deployment's owner when the request carries their valid credential (also on anonymous
 * deployments), else null. `admittedOwner`: the endpoint already identified the owner (private
 * deployments), so the credential is not checked a second time.
 */
export async function ownerContext(c: Context<AppEnv>, record: DeploymentRecord, admittedOwner: string | null): Promise<RpcContext | null> {
  const userId = admittedOwner ?? (await credentialUser(c, record));
  if (userId !== record.ownerId) return null;
  return rpcContextOf(c, { id: userId, email: null, plan: "free", via: "token" });
}

/**
 * Calls a run tool for the owner. Refusals (invalid arguments, an RpcError of the runtime) are
 * `isError` tool results; an unexpected failure is a JSON-RPC internal error.
 */
export async function callRunTool(c: Context<AppEnv>, found: Tool<RunToolContext>, args: unknown, rpc: RpcContext, record: DeploymentRecord) {
  try {
    return await callTool(found, args, { rpc, record }, (message, issues) => refusal(message, "invalid_params", { issues }));
  } catch (err) {
    if (err instanceof RpcError) {
      const data = (err.data ?? {}) as { reason?: string };
      return refusal(err.message, data.reason ?? "invalid_params", err.data);
    }
    c.get("log").error("run tool failed", { tool: found.name, error: String(err) });
    throw new RpcError(JSONRPC.INTERNAL_ERROR, "Internal error");
  }
}
