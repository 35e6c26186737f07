import type { DeploymentRecord, ServedWorkflow } from "../deployments/record";
import { z } from "zod";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { JSONRPC, RpcError } from "./protocol";
import { callTool, listing, tool, toolArguments, toolInput, type Tool, type ToolResult } from "./tool-table";
import { isObject } from "../http/validate";
import { derivedOnce } from "../env";

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

const textResult = (text: string): ToolResult => ({ content: [{ type: "text", text }] });
const toolError = (text: string): ToolResult => ({ content: [{ type: "text", text }], isError: true });

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


/** Prompt arguments are strings (spec: PromptArgument values); anything else is invalid params. */
function promptArguments(params: Record<string, unknown>): Record<string, unknown> {
  const args = params.arguments ?? {};
  if (!isObject(args)) throw new RpcError(JSONRPC.INVALID_PARAMS, "prompts/get params.arguments must be an object of strings");
  if (args.task !== undefined && typeof args.task !== "string") {
    throw new RpcError(JSONRPC.INVALID_PARAMS, "Prompt argument 'task' must be a string", { argument: "task" });
  }
  return args;
}

/** The data of a prompts/get refusal: the prompt names there are (built only for a refusal). */
const availablePrompts = (record: DeploymentRecord) => ({ available: record.workflows.map((w) => w.promptName) });

export function getPrompt(record: DeploymentRecord, adapter: Adapter, params: Record<string, unknown>) {
  if (typeof params.name !== "string") throw new RpcError(JSONRPC.INVALID_PARAMS, "prompts/get needs params.name", availablePrompts(record));
  const index = findWorkflow(record, params.name);
  if (index < 0) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown prompt '${params.name}'`, availablePrompts(record));
  const w = record.workflows[index]!;
  const args = promptArguments(params);
  return {
    description: `${w.name} v${w.version} for ${adapter}`,
    messages: [{ role: "user", content: { type: "text", text: withPromptTask(renderedText(record, index, adapter), args.task) } }],
  };
}

/** What every fixed and per-workflow tool is called with. */
interface DeploymentToolContext {
  record: DeploymentRecord;
  adapter: Adapter;
}

const taskArgument = z.string({ error: "task must be a string" }).describe("What to apply the workflow to").optional();

/** Lenient about the argument's name: agents guess `workflow` or `name` as often as `workflowId`. */
const withWorkflowAlias = (args: unknown) => {
  if (!isObject(args) || args.workflowId !== undefined) return args;
  const alias = args.workflow ?? args.name ?? args.prompt;
  return alias === undefined ? args : { ...args, workflowId: alias };
};

const workflowRef = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "Missing required argument 'workflowId' (a workflowId or prompt name); call list_workflows for them"
        : "workflowId must be a string (a workflowId or prompt name)",
  })
  .describe("workflowId or prompt name (see list_workflows)");

const NO_ARGUMENTS = toolInput(toolArguments({}));
const GET_INPUT = toolInput(z.preprocess(withWorkflowAlias, toolArguments({ workflowId: workflowRef })));
const RENDER_INPUT = toolInput(
  z.preprocess(
    withWorkflowAlias,
    toolArguments({
      workflowId: workflowRef,
      adapter: z.enum(ADAPTERS, { error: `adapter must be one of ${ADAPTERS.join(", ")}` }).describe("Defaults to this connection's adapter").optional(),
      task: taskArgument,
    }),
  ),
);
const WORKFLOW_TOOL_INPUT = toolInput(toolArguments({ task: taskArgument }));

const unknownWorkflow = (ref: string) => toolError(`Unknown workflow '${ref}'; call list_workflows for the ids and names`);

const FIXED_TOOLS: Tool<DeploymentToolContext>[] = [
  tool({
    name: "list_workflows",
    description: "List the workflows in this deployment.",
    input: NO_ARGUMENTS,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: (_args, { record }) => {
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
    },
  }),
  tool({
    name: "get_workflow",
    description: "Get a workflow's HMS manifest at the served version.",
    input: GET_INPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: ({ workflowId }, { record }) => {
      const index = findWorkflow(record, workflowId);
      if (index < 0) return unknownWorkflow(workflowId);
      return textResult(JSON.stringify(record.workflows[index]!.manifest, null, 2));
    },
  }),
  tool({
    name: "render_workflow",
    description: "Render a workflow as instructions for an adapter.",
    input: RENDER_INPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: ({ workflowId, adapter, task }, { record, adapter: connection }) => {
      const index = findWorkflow(record, workflowId);
      if (index < 0) return unknownWorkflow(workflowId);
      const target = adapter ?? connection;
      if (!record.enabledAdapters.includes(target)) return toolError(`The ${target} adapter is disabled for this deployment`);
      return textResult(withTask(renderedText(record, index, target), task));
    },
  }),
];

const FIXED_TOOL_LISTING = FIXED_TOOLS.map(listing);

const workflowToolName = (w: ServedWorkflow) => `${WORKFLOW_TOOL_PREFIX}${w.promptName}`;

/** The tool of one workflow, generated from the deployment record in the same shape as the fixed ones. */
function workflowTool(record: DeploymentRecord, index: number): Tool<DeploymentToolContext> {
  const w = record.workflows[index]!;
  return tool({
    name: workflowToolName(w),
    title: w.name,
    description: terse(`Instructions for "${w.name}" v${w.version}: ${summaryOf(w)}`, 200),
    input: WORKFLOW_TOOL_INPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: ({ task }, { adapter }) => textResult(withTask(renderedText(record, index, adapter), task)),
  });
}

const workflowTools = (record: DeploymentRecord) => record.workflows.map((_, index) => workflowTool(record, index));

/** Once per record (records are immutable and cached per isolate), not per tools/list. */
export const listTools = derivedOnce((record: DeploymentRecord) => ({ tools: [...FIXED_TOOL_LISTING, ...workflowTools(record).map(listing)] }));

/** Every tool of the deployment: the fixed ones, then one per workflow. */
export const deploymentTools = (record: DeploymentRecord) => [...FIXED_TOOLS, ...workflowTools(record)];

/** The named tool alone: a call builds only the tool it calls (prompt names are unique, and no fixed name starts with the workflow prefix). */
function deploymentTool(record: DeploymentRecord, name: string): Tool<DeploymentToolContext> | undefined {
  const fixed = FIXED_TOOLS.find((t) => t.name === name);
  if (fixed || !name.startsWith(WORKFLOW_TOOL_PREFIX)) return fixed;
  const index = record.workflows.findIndex((w) => workflowToolName(w) === name);
  return index < 0 ? undefined : workflowTool(record, index);
}

export function callDeploymentTool(record: DeploymentRecord, adapter: Adapter, name: string, args: unknown) {
  const found = deploymentTool(record, name);
  if (!found) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown tool '${name}'`);
  return callTool(found, args, { record, adapter }, toolError);
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

export function readResource(record: DeploymentRecord, uri: string) {
  const w = record.workflows.find((x) => resourceUri(x) === uri);
  if (!w) throw new RpcError(JSONRPC.RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
  return { contents: [{ uri: resourceUri(w), mimeType: "application/json", text: JSON.stringify(w.manifest, null, 2) }] };
}
