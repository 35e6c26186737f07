/**
 * Bench-only comparison Worker: the same deployment content as `/mcp/{deploymentId}`, served by
 * the official SDK v1 (`McpServer` + `WebStandardStreamableHTTPServerTransport`) instead of our
 * thin handler. It reads the same KV record (`dep:{id}`, one read) and answers with the same
 * functions from src/mcp/tools.ts, so the comparison is about the protocol layer only.
 *
 * Deliberately NOT a product path: no credentials (the bench seeds an anonymous deployment), no
 * usage counting, no signed session id (the adapter comes from `?adapter=` or the default), no
 * Origin check. See bench/README.md.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { z } from "zod";
import type { DeploymentRecord } from "../../src/deployments/record";
import { ADAPTERS, type Adapter } from "../../src/manifest/schema";
import { DEFAULT_ADAPTER } from "../../src/mcp/protocol";
import { callDeploymentTool, getPrompt, listPrompts, listTools, readResource, listResources } from "../../src/mcp/tools";

/** `deploymentKvKey()` of src/deployments/record.ts, inlined: importing it would bundle drizzle's schema. */
const kvKey = (deploymentId: string) => `dep:${deploymentId}`;

interface Env {
  KV: KVNamespace;
}

interface FlatJsonSchema {
  properties?: Record<string, { type?: string; enum?: string[]; description?: string }>;
  required?: string[];
}

/** Our tools' input schemas are flat objects of strings; McpServer wants zod shapes. */
function zodShape(schema: FlatJsonSchema): Record<string, z.ZodType> {
  const required = new Set(schema.required ?? []);
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, prop]) => {
      let field: z.ZodType = prop.enum ? z.enum(prop.enum as [string, ...string[]]) : z.string();
      if (prop.description) field = field.describe(prop.description);
      return [key, required.has(key) ? field : field.optional()];
    }),
  );
}

// tools.ts returns plain objects; these name the literal types the SDK's callbacks expect.
type TextContent = { type: "text"; text: string };
type ToolResult = { content: TextContent[]; isError?: boolean };
type PromptResult = { description: string; messages: { role: "user"; content: TextContent }[] };

/** A fresh server per request: the SDK refuses to reuse a stateless transport. */
function buildServer(record: DeploymentRecord, adapter: Adapter): McpServer {
  const server = new McpServer(
    { name: "hydra-edge-sdk-bench", version: "1.0.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator(), capabilities: { resources: {} } },
  );
  for (const p of listPrompts(record).prompts) {
    server.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: { task: z.string().optional().describe(p.arguments[0]!.description) } },
      (args) => getPrompt(record, adapter, { name: p.name, arguments: args }) as PromptResult,
    );
  }
  for (const t of listTools(record).tools) {
    server.registerTool(
      t.name,
      { title: "title" in t ? t.title : undefined, description: t.description, inputSchema: zodShape(t.inputSchema as FlatJsonSchema) },
      async (args: Record<string, unknown>) => (await callDeploymentTool(record, adapter, t.name, args)) as ToolResult,
    );
  }
  for (const r of listResources(record).resources) {
    server.registerResource(r.name, r.uri, { title: r.title, description: r.description, mimeType: r.mimeType }, (uri) =>
      readResource(record, uri.href),
    );
  }
  return server;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });

async function handleMcp(request: Request, env: Env, deploymentId: string): Promise<Response> {
  // The SDK's stateless transport would hold a GET open as SSE and answer DELETE 200 (mcp-notes §4).
  if (request.method !== "POST") return json(405, { error: "Method not allowed" }, { Allow: "POST" });
  const record = await env.KV.get<DeploymentRecord>(kvKey(deploymentId), "json");
  if (!record) return json(404, { error: "Deployment not found" });
  if (record.status !== "active") return json(423, { error: "Deployment is inactive" });
  if (!record.allowAnonymous) return json(401, { error: "This bench server only serves anonymous deployments" });

  const requested = new URL(request.url).searchParams.get("adapter");
  const adapter = (ADAPTERS as readonly string[]).includes(requested ?? "") ? (requested as Adapter) : DEFAULT_ADAPTER;
  const server = buildServer(record, adapter);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(request);
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    // The bare baseline, like the main Worker's GET /health/live.
    if (pathname === "/health/live") return json(200, { status: "ok" });
    // The same KV read as an MCP request and nothing else: splits the local KV simulator's
    // cost from the protocol layer's.
    const kvOnly = /^\/kv\/(dep_[A-Za-z0-9]{1,64})$/.exec(pathname);
    if (kvOnly) return json(200, { found: (await env.KV.get<DeploymentRecord>(kvKey(kvOnly[1]!), "json")) !== null });
    const match = /^\/mcp\/(dep_[A-Za-z0-9]{1,64})\/?$/.exec(pathname);
    if (match) return handleMcp(request, env, match[1]!);
    return json(404, { error: "Not found" });
  },
} satisfies ExportedHandler<Env>;
