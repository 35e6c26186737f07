import type { Context } from "hono";
import { z } from "zod";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { method, openMethod, type MethodTable } from "../http/jsonrpc-dispatch";
import type { Adapter } from "../manifest/schema";
import type { McpCaller } from "./auth";
import { RUN_TOOL_LISTING, callRunTool, ownerContext, runTool } from "./run-tools";
import { callDeploymentTool, getPrompt, listPrompts, listResources, listTools, readResource } from "./tools";

export const SERVER_INFO = { name: "hydra-edge", title: "Hydra workflows", version: "1.0.0" };

export const SERVER_CAPABILITIES = {
  prompts: { listChanged: false },
  tools: { listChanged: false },
  resources: { subscribe: false, listChanged: false },
};

/** What every MCP method is called with: the request, its deployment, the rendering it gets. */
export interface McpContext {
  c: Context<AppEnv>;
  record: DeploymentRecord;
  adapter: Adapter;
  /** The owner's runtime context when the request carries their credential, else null; checked once, when first asked. */
  owner: () => ReturnType<typeof ownerContext>;
}

export function mcpContext(c: Context<AppEnv>, { record, userId }: McpCaller, adapter: Adapter): McpContext {
  let owner: ReturnType<typeof ownerContext> | undefined;
  return { c, record, adapter, owner: () => (owner ??= ownerContext(c, record, userId)) };
}

/** MCP params are objects that may carry `_meta` and fields of later revisions: unknown keys pass. */
const params = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

/**
 * The methods both protocol eras share, answered from the deployment's KV record alone (the
 * owner's run tools add their D1/Durable Object work). Each era's table adds its own.
 */
export const SHARED_METHODS: MethodTable<McpContext> = {
  "prompts/list": openMethod((_p, { record }) => listPrompts(record)),
  // Its checks answer with the prompt names available, which a static schema cannot know.
  "prompts/get": openMethod((p, { record, adapter }) => getPrompt(record, adapter, p)),
  "tools/list": openMethod(async (_p, { record, owner }) => {
    const { tools } = listTools(record);
    return { tools: (await owner()) ? [...tools, ...RUN_TOOL_LISTING] : tools };
  }),
  "tools/call": method(params({ name: z.string({ error: "tools/call needs params.name" }), arguments: z.unknown().optional() }), async (p, ctx) => {
    const found = runTool(p.name);
    const owner = found && (await ctx.owner());
    if (found && owner) return callRunTool(ctx.c, found, p.arguments, owner, ctx.record);
    // Without the owner's credential the run tools do not exist: "Unknown tool", like any other name.
    return callDeploymentTool(ctx.record, ctx.adapter, p.name, p.arguments);
  }),
  "resources/list": openMethod((_p, { record }) => listResources(record)),
  "resources/templates/list": openMethod(() => ({ resourceTemplates: [] })),
  "resources/read": method(params({ uri: z.string({ error: "resources/read needs params.uri" }) }), async (p, { record }) => readResource(record, p.uri)),
};
