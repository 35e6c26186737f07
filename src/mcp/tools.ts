import type { DeploymentRecord, ServedWorkflow } from "../deployments/record";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { JSONRPC, RpcError } from "./protocol";

/**
 * Prompts, tools and resources of one deployment, answered from its KV record alone.
 * Tool list: three fixed tools, then one per workflow (Codex shows no MCP prompts, so every
 * workflow must also be reachable as a tool). Order follows the deployment: deterministic.
 */
const WORKFLOW_TOOL_PREFIX = "workflow_";
const TASK_ARGUMENT = { name: "task", description: "What to apply the workflow to (optional; the agent asks when it is missing)", required: false };

const terse = (text: string, max = 160) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function summaryOf(w: ServedWorkflow): string {
  return terse(w.manifest.intent ?? w.description ?? w.name);
}

const ASK_FOR_TASK = "Task: none given. Before you start, ask the user what to apply this workflow to.";

/** Tools get the model's whole task; an empty one still tells the agent to ask. */
function withTask(text: string, task: unknown): string {
  return typeof task === "string" && task.trim() ? `${text}\n\nTask: ${task.trim()}` : `${text}\n\n${ASK_FOR_TASK}`;
}

/**
 * Slash commands fill prompt arguments positionally from space-split words (Claude Code:
 * `/mcp__hydra__bug_fix_workflow login returns 500` gives task "login"), so a prompt's task
 * may be the first word only: the text tells the agent to confirm it when it looks cut short.
 */
function withPromptTask(text: string, task: unknown): string {
  if (typeof task !== "string" || !task.trim()) return `${text}\n\n${ASK_FOR_TASK}`;
  return `${text}\n\nTask: ${task.trim()}\n(The client may pass only the first word of what the user typed. If this task looks cut short or unclear, ask the user for the full task before you start.)`;
}

const resourceUri = (w: ServedWorkflow) => `hydra://workflows/${w.workflowId}/${w.version}`;

function findWorkflow(record: DeploymentRecord, ref: unknown): number {
  if (typeof ref !== "string") return -1;
  return record.workflows.findIndex((w) => w.promptName === ref || w.workflowId === ref);
}

const textResult = (text: string) => ({ content: [{ type: "text", text }] });
const toolError = (text: string) => ({ content: [{ type: "text", text }], isError: true });

function renderedText(record: DeploymentRecord, index: number, adapter: Adapter): string {
  return record.rendered[adapter][index]?.text ?? "";
}

export function listPrompts(record: DeploymentRecord) {
  return {
    prompts: record.workflows.map((w) => ({
      name: w.promptName,
      title: w.name,
      description: `${summaryOf(w)} (v${w.version})`,
      arguments: [TASK_ARGUMENT],
    })),
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Prompt arguments are strings (spec: PromptArgument values); anything else is invalid params. */
function promptArguments(params: Record<string, unknown>): Record<string, unknown> {
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) throw new RpcError(JSONRPC.INVALID_PARAMS, "prompts/get params.arguments must be an object of strings");
  if (args.task !== undefined && typeof args.task !== "string") {
    throw new RpcError(JSONRPC.INVALID_PARAMS, "Prompt argument 'task' must be a string", { argument: "task" });
  }
  return args;
}

export function getPrompt(record: DeploymentRecord, adapter: Adapter, params: Record<string, unknown>) {
  const available = record.workflows.map((w) => w.promptName);
  if (typeof params.name !== "string") throw new RpcError(JSONRPC.INVALID_PARAMS, "prompts/get needs params.name", { available });
  const index = findWorkflow(record, params.name);
  if (index < 0) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown prompt '${params.name}'`, { available });
  const w = record.workflows[index]!;
  const args = promptArguments(params);
  return {
    description: `${w.name} v${w.version} for ${adapter}`,
    messages: [{ role: "user", content: { type: "text", text: withPromptTask(renderedText(record, index, adapter), args.task) } }],
  };
}

export function listTools(record: DeploymentRecord) {
  const workflowRef = { type: "string", description: "workflowId or prompt name (see list_workflows)" };
  return {
    tools: [
      {
        name: "list_workflows",
        description: "List the workflows in this deployment.",
        inputSchema: { type: "object", properties: {} },
      },
      {
        name: "get_workflow",
        description: "Get a workflow's HMS manifest at the served version.",
        inputSchema: { type: "object", properties: { workflowId: workflowRef }, required: ["workflowId"] },
      },
      {
        name: "render_workflow",
        description: "Render a workflow as instructions for an adapter.",
        inputSchema: {
          type: "object",
          properties: {
            workflowId: workflowRef,
            adapter: { type: "string", enum: [...ADAPTERS], description: "Defaults to this connection's adapter" },
            task: { type: "string", description: "What to apply the workflow to" },
          },
          required: ["workflowId"],
        },
      },
      ...record.workflows.map((w) => ({
        name: `${WORKFLOW_TOOL_PREFIX}${w.promptName}`,
        title: w.name,
        description: terse(`Instructions for "${w.name}" v${w.version}: ${summaryOf(w)}`, 200),
        inputSchema: { type: "object", properties: { task: { type: "string", description: "What to apply the workflow to" } } },
      })),
    ],
  };
}

const FIXED_TOOLS = ["list_workflows", "get_workflow", "render_workflow"];

const takesTask = (name: string) => name === "render_workflow" || name.startsWith(WORKFLOW_TOOL_PREFIX);

function isKnownTool(record: DeploymentRecord, name: string): boolean {
  return FIXED_TOOLS.includes(name) || record.workflows.some((w) => `${WORKFLOW_TOOL_PREFIX}${w.promptName}` === name);
}

export function callTool(record: DeploymentRecord, adapter: Adapter, params: Record<string, unknown>) {
  const name = params.name;
  if (typeof name !== "string") throw new RpcError(JSONRPC.INVALID_PARAMS, "tools/call needs params.name");
  if (!isKnownTool(record, name)) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown tool '${name}'`);
  // Input errors are tool results with isError (2025-11-25, SEP-1303), so the model can correct itself.
  const args = params.arguments ?? {};
  if (!isPlainObject(args)) return toolError("arguments must be an object");
  if (args.task !== undefined && typeof args.task !== "string" && takesTask(name)) return toolError("task must be a string");

  if (name === "list_workflows") {
    const list = record.workflows.map((w) => ({
      name: w.promptName,
      title: w.name,
      workflowId: w.workflowId,
      version: w.version,
      isOwned: w.isOwned,
      steps: w.manifest.steps.length,
      summary: summaryOf(w),
    }));
    return textResult(JSON.stringify(list, null, 2));
  }
  if (name === "get_workflow" || name === "render_workflow") {
    // Lenient about the argument's name: agents guess `workflow` or `name` as often as `workflowId`.
    const ref = args.workflowId ?? args.workflow ?? args.name ?? args.prompt;
    if (ref === undefined) {
      return toolError(`Missing required argument 'workflowId' (a workflowId or prompt name); call list_workflows for them`);
    }
    const index = findWorkflow(record, ref);
    if (index < 0) return toolError(`Unknown workflow '${String(ref)}'; call list_workflows for the ids and names`);
    if (name === "get_workflow") return textResult(JSON.stringify(record.workflows[index]!.manifest, null, 2));
    const target = args.adapter ?? adapter;
    if (!(ADAPTERS as readonly unknown[]).includes(target)) return toolError(`adapter must be one of ${ADAPTERS.join(", ")}`);
    if (!record.enabledAdapters.includes(target as Adapter)) return toolError(`The ${String(target)} adapter is disabled for this deployment`);
    return textResult(withTask(renderedText(record, index, target as Adapter), args.task));
  }
  const index = record.workflows.findIndex((w) => `${WORKFLOW_TOOL_PREFIX}${w.promptName}` === name);
  return textResult(withTask(renderedText(record, index, adapter), args.task));
}

export function listResources(record: DeploymentRecord) {
  return {
    resources: record.workflows.map((w) => ({
      uri: resourceUri(w),
      name: w.promptName,
      title: `${w.name} v${w.version}`,
      description: "HMS manifest",
      mimeType: "application/json",
    })),
  };
}

export function readResource(record: DeploymentRecord, params: Record<string, unknown>) {
  if (typeof params.uri !== "string") throw new RpcError(JSONRPC.INVALID_PARAMS, "resources/read needs params.uri");
  const w = record.workflows.find((x) => resourceUri(x) === params.uri);
  if (!w) throw new RpcError(JSONRPC.RESOURCE_NOT_FOUND, `Resource not found: ${String(params.uri)}`, { uri: params.uri });
  return { contents: [{ uri: resourceUri(w), mimeType: "application/json", text: JSON.stringify(w.manifest, null, 2) }] };
}
