import type { Context } from "hono";
import { identifyMcpCaller } from "../oauth/mcp-access";
import type { DeploymentRecord, ServedWorkflow } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { JSONRPC, RpcError } from "../http/jsonrpc";
import { issuesOf } from "../http/validate";
import { runtimeMethods } from "../runtime/methods";
import type { RpcContext } from "../runtime/rpc-context";
import { manifestStepsOf, startRun } from "../runtime/start";
import type { JsonRpcRequest } from "./protocol";
import { listTools } from "./tools";

/**
 * Tools that let the agent in the IDE drive runs of this deployment's workflows: start one,
 * take its actions one by one, report them, watch it, cancel it. Only for the deployment's
 * authenticated owner (never on anonymous connections), and none of them approves anything:
 * approvals are a person's decision (hydra.approve, or the run page).
 */
interface RunTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  handler: (args: Record<string, unknown>, ctx: RpcContext, record: DeploymentRecord) => Promise<ToolResult>;
}

type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: true };

const WORKFLOW_TOOL_PREFIX = "workflow_";
const runIdProperty = { type: "string", description: "The run_id start_run returned" };

const result = (text: string, structured: Record<string, unknown>): ToolResult => ({ content: [{ type: "text", text }], structuredContent: structured });

function refusal(message: string, reason: string, data?: unknown): ToolResult {
  return {
    content: [{ type: "text", text: `Refused (${reason}): ${message}` }],
    structuredContent: { error: { reason, message, ...(data && typeof data === "object" ? { data } : {}) } },
    isError: true,
  };
}

/** Calls a runtime JSON-RPC method as /rpc would (same validation, same errors). */
async function callMethod(name: string, params: Record<string, unknown>, ctx: RpcContext): Promise<Record<string, unknown>> {
  const entry = runtimeMethods[name]!;
  const parsed = entry.params.safeParse(params);
  if (!parsed.success) throw new RpcError(JSONRPC.INVALID_PARAMS, "Invalid params", { reason: "invalid_params", issues: issuesOf(parsed.error) });
  return (await entry.handler(parsed.data, ctx)) as Record<string, unknown>;
}

function findServed(record: DeploymentRecord, ref: unknown): ServedWorkflow | undefined {
  if (typeof ref !== "string") return undefined;
  const slug = ref.startsWith(WORKFLOW_TOOL_PREFIX) ? ref.slice(WORKFLOW_TOOL_PREFIX.length) : ref;
  return record.workflows.find((w) => w.workflowId === ref || w.promptName === ref || w.promptName === slug);
}

const pick = (args: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]]));

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

export const RUN_TOOLS: RunTool[] = [
  {
    name: "start_run",
    description: "Start a tracked Hydra run of one of this deployment's workflows. Then drive it with next_action / report_action until it completes.",
    inputSchema: {
      type: "object",
      properties: {
        workflow: { type: "string", description: "The workflow's id, or the <slug> of its workflow_<slug> tool" },
        task: { type: "string", description: "What to apply the workflow to (becomes the run's intent)" },
      },
      required: ["workflow"],
    },
    handler: async (args, ctx, record) => {
      const served = findServed(record, args.workflow);
      if (!served) return refusal(`Unknown workflow '${String(args.workflow)}'; call list_workflows for the ids and names`, "not_found");
      if (args.task !== undefined && (typeof args.task !== "string" || args.task.length > 4000)) {
        return refusal("task must be a string of at most 4000 characters", "invalid_params");
      }
      const task = typeof args.task === "string" && args.task.trim() ? args.task.trim() : undefined;
      const intent = task ?? served.manifest.intent ?? served.manifest.name;
      const runId = await startRun(ctx, intent, { id: served.workflowId, version: served.version, steps: manifestStepsOf(served.manifest) });
      return result(`Run ${runId} of "${served.name}" v${served.version} started. Call next_action {run_id: "${runId}", wait_seconds: 25} for its first action.`, {
        run_id: runId,
        workflow_id: served.workflowId,
        version: served.version,
      });
    },
  },
  {
    name: "next_action",
    description: "Claim the run's next ready action (with a lease). Waits up to wait_seconds for one; says so when the run waits for a person's approval.",
    inputSchema: {
      type: "object",
      properties: { run_id: runIdProperty, wait_seconds: { type: "number", minimum: 0, maximum: 25, description: "Long poll, 0-25 (default 0)" } },
      required: ["run_id"],
    },
    handler: async (args, ctx) => {
      if (typeof args.run_id !== "string") return refusal("run_id is required", "invalid_params");
      const out = await callMethod("hydra.next_action", pick(args, ["run_id", "wait_seconds"]), ctx);
      return result(nextActionText(out), out);
    },
  },
  {
    name: "report_action",
    description: "Report the result of an action you performed; the run goes on with it (its dependents get your output as input).",
    inputSchema: {
      type: "object",
      properties: {
        action_id: { type: "string" },
        outcome: { type: "string", enum: ["succeeded", "failed"] },
        output: { type: "string", description: "What you did or found (at most 64 KB)" },
        error: { type: "string", description: "Why it failed" },
      },
      required: ["action_id", "outcome"],
    },
    handler: async (args, ctx) => {
      const out = await callMethod("hydra.report_action", pick(args, ["action_id", "outcome", "output", "error"]), ctx);
      const again = out.duplicate ? " (already reported; nothing changed)" : "";
      return result(`Reported${again}. The step is ${String(out.status)}. Call next_action {run_id: "${String(out.run_id)}", wait_seconds: 25} for the next action.`, out);
    },
  },
  {
    name: "run_status",
    description: "A run's status, its steps (inputs, outputs, attempts) and the approvals it waits for.",
    inputSchema: { type: "object", properties: { run_id: runIdProperty }, required: ["run_id"] },
    handler: async (args, ctx) => {
      if (typeof args.run_id !== "string") return refusal("run_id is required", "invalid_params");
      const out = await callMethod("hydra.status", { run_id: args.run_id }, ctx);
      const run = (out.runs as Record<string, unknown>[])[0]!;
      const steps = (run.steps as { phase: string; status: string }[]).filter((s) => s.phase === "act");
      const done = steps.filter((s) => s.status !== "pending" && s.status !== "running").length;
      const approvals = (run.pending_approvals as { description: string; approve_url: string }[]) ?? [];
      const waiting = approvals.length ? ` Waiting for a person to approve: ${approvals.map((a) => `"${a.description}" (${a.approve_url})`).join(", ")}.` : "";
      return result(`Run ${String(run.id)} is ${String(run.status)}: ${done} of ${steps.length} steps finished.${waiting}`, run);
    },
  },
  {
    name: "cancel_run",
    description: "Cancel a run: its open actions are withdrawn and nothing more of it runs.",
    inputSchema: { type: "object", properties: { run_id: runIdProperty }, required: ["run_id"] },
    handler: async (args, ctx) => {
      if (typeof args.run_id !== "string") return refusal("run_id is required", "invalid_params");
      const out = await callMethod("hydra.cancel", { run_id: args.run_id, reason: "Cancelled from the IDE" }, ctx);
      return result(`Run ${args.run_id} is cancelled.`, out);
    },
  },
];

/** The deployment's owner when the request carries their valid credential (also on anonymous deployments), else null. */
async function ownerContext(c: Context<AppEnv>, record: DeploymentRecord): Promise<RpcContext | null> {
  if (!c.req.header("Authorization")) return null;
  let userId: string;
  try {
    // The same check as the endpoint's own: header token / API key, or this deployment's OAuth token.
    userId = await identifyMcpCaller(c, record);
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
  if (userId !== record.ownerId) return null;
  return {
    env: c.env,
    db: c.var.db,
    config: c.var.config,
    user: { id: userId, email: null, plan: "free", via: "token" },
    now: c.var.clock.now(),
    origin: new URL(c.req.url).origin,
  };
}

const isRunTool = (name: unknown) => RUN_TOOLS.some((t) => t.name === name);

/**
 * The result of tools/list with the run tools added, or of tools/call of a run tool, for the
 * owner; null for every other request (answered as before: without the tools, "Unknown tool").
 * Refusals are `isError` tool results; an unexpected failure is a JSON-RPC internal error.
 */
export async function runToolsResult(c: Context<AppEnv>, record: DeploymentRecord, request: JsonRpcRequest): Promise<object | null> {
  const params = request.params ?? {};
  if (request.method !== "tools/list" && !(request.method === "tools/call" && isRunTool(params.name))) return null;
  const ctx = await ownerContext(c, record);
  if (!ctx) return null;
  if (request.method === "tools/list") {
    const defs = RUN_TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
    return { tools: [...listTools(record).tools, ...defs] };
  }
  const tool = RUN_TOOLS.find((t) => t.name === params.name)!;
  const args = params.arguments ?? {};
  if (typeof args !== "object" || args === null || Array.isArray(args)) return refusal("arguments must be an object", "invalid_params");
  try {
    return await tool.handler(args as Record<string, unknown>, ctx, record);
  } catch (err) {
    if (err instanceof RpcError) {
      const data = (err.data ?? {}) as { reason?: string };
      return refusal(err.message, data.reason ?? "invalid_params", err.data);
    }
    console.error(JSON.stringify({ level: "error", requestId: c.var.requestId, msg: "run tool failed", tool: tool.name, error: String(err) }));
    throw new RpcError(JSONRPC.INTERNAL_ERROR, "Internal error");
  }
}
