import { Hono, type Context } from "hono";
import { loadRecord, type DeploymentRecord } from "../deployments/record";
import { countConnection } from "../deployments/usage";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { limitDetails, readBoundedJson } from "../http/json-limits";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { assertMayUse } from "./auth";
import {
  DEFAULT_ADAPTER,
  JSONRPC,
  RpcError,
  SUPPORTED_PROTOCOL_VERSIONS,
  acceptsBatches,
  adapterForClient,
  isSupportedVersion,
  negotiateVersion,
  parseBody,
  rpcError,
  rpcResult,
  type JsonRpcRequest,
  type ParsedMessage,
} from "./protocol";
import { signSession, verifySession } from "./session";
import { callTool, getPrompt, listPrompts, listResources, listTools, readResource } from "./tools";

const SESSION_HEADER = "Mcp-Session-Id";
const DEPLOYMENT_ID = /^dep_[A-Za-z0-9]{1,64}$/;
const SERVER_INFO = { name: "hydra-edge", title: "Hydra workflows", version: "1.0.0" };

/** A browser page on another origin must not drive the server (DNS rebinding); agents send no Origin. */
function assertOriginAllowed(c: Context<AppEnv>) {
  const origin = c.req.header("Origin");
  if (origin === undefined) return;
  const allowed = new Set([new URL(c.req.url).origin]);
  const { PUBLIC_BASE_URL, MCP_ALLOWED_ORIGINS } = c.var.config;
  if (PUBLIC_BASE_URL) allowed.add(new URL(PUBLIC_BASE_URL).origin);
  for (const extra of MCP_ALLOWED_ORIGINS?.split(",") ?? []) if (extra.trim()) allowed.add(extra.trim());
  if (!allowed.has(origin)) throw new ApiError("FORBIDDEN", `Origin '${origin}' is not allowed to use this MCP endpoint`);
}

function adapterOverride(c: Context<AppEnv>): Adapter | null {
  const value = c.req.query("adapter");
  if (value === undefined) return null;
  if (!(ADAPTERS as readonly string[]).includes(value)) {
    throw new ApiError("VALIDATION_ERROR", `adapter must be one of ${ADAPTERS.join(", ")}`, {
      issues: [{ path: "adapter", message: `unknown adapter '${value}'` }],
    });
  }
  return value as Adapter;
}

function assertAdapterEnabled(record: DeploymentRecord, adapter: Adapter) {
  if (!record.enabledAdapters.includes(adapter)) {
    const others = record.enabledAdapters.map((a) => `?adapter=${a}`).join(" or ");
    throw new ApiError(
      "FORBIDDEN",
      `The ${adapter} adapter is disabled for this deployment (enabled: ${record.enabledAdapters.join(", ")}). The owner can enable it, or connect with ${others}`,
      { adapter, enabledAdapters: record.enabledAdapters },
    );
  }
}

/** Unknown clients (Inspector, scripts) get the default adapter, or the first one enabled. */
function fallbackAdapter(record: DeploymentRecord): Adapter {
  return record.enabledAdapters.includes(DEFAULT_ADAPTER) ? DEFAULT_ADAPTER : (record.enabledAdapters[0] as Adapter);
}

/** Later requests carry no client identity: the adapter comes back from the signed session id. */
async function adapterForRequest(c: Context<AppEnv>, record: DeploymentRecord): Promise<Adapter> {
  const sessionId = c.req.header(SESSION_HEADER);
  if (sessionId !== undefined) {
    const session = await verifySession(c.var.config, sessionId, record.deploymentId);
    // 404 tells the client to send a fresh initialize (spec: unknown or terminated session).
    if (!session) throw new ApiError("NOT_FOUND", "Unknown MCP session; send a new initialize request");
    return session.adapter;
  }
  // Clients that skip sessions (curl, stateless gateways) get the override or the default.
  return adapterOverride(c) ?? fallbackAdapter(record);
}

async function initialize(c: Context<AppEnv>, record: DeploymentRecord, request: JsonRpcRequest) {
  const params = request.params ?? {};
  if (typeof params.protocolVersion !== "string") {
    return c.json(rpcError(request.id, JSONRPC.INVALID_PARAMS, "initialize needs params.protocolVersion"));
  }
  const clientInfo = (params.clientInfo ?? {}) as { name?: unknown };
  const adapter = adapterOverride(c) ?? adapterForClient(clientInfo.name) ?? fallbackAdapter(record);
  assertAdapterEnabled(record, adapter);
  const now = c.var.clock.now();
  await countConnection(c.var.db, record.ownerId, record.deploymentId, adapter, now, c.var.config.UPGRADE_URL);

  c.header(SESSION_HEADER, await signSession(c.var.config, { adapter, deploymentId: record.deploymentId }, now));
  const names = record.workflows.map((w) => w.promptName).join(", ") || "none";
  return c.json(
    rpcResult(request.id, {
      protocolVersion: negotiateVersion(params.protocolVersion),
      capabilities: {
        prompts: { listChanged: false },
        tools: { listChanged: false },
        resources: { subscribe: false, listChanged: false },
      },
      serverInfo: SERVER_INFO,
      instructions: `Hydra deployment "${record.name}" (adapter: ${adapter}). Workflows: ${names}. Use a prompt, or the tool workflow_<name>, to get a workflow's instructions.`,
    }),
  );
}

function dispatch(record: DeploymentRecord, adapter: Adapter, request: JsonRpcRequest): unknown {
  const params = request.params ?? {};
  switch (request.method) {
    case "ping":
      return {};
    case "prompts/list":
      return listPrompts(record);
    case "prompts/get":
      return getPrompt(record, adapter, params);
    case "tools/list":
      return listTools(record);
    case "tools/call":
      return callTool(record, adapter, params);
    case "resources/list":
      return listResources(record);
    case "resources/templates/list":
      return { resourceTemplates: [] };
    case "resources/read":
      return readResource(record, params);
    default:
      throw new RpcError(JSONRPC.METHOD_NOT_FOUND, `Method not found: ${request.method}`);
  }
}

function answer(record: DeploymentRecord, adapter: Adapter, request: JsonRpcRequest) {
  try {
    return rpcResult(request.id, dispatch(record, adapter, request));
  } catch (err) {
    if (err instanceof RpcError) return rpcError(request.id, err.code, err.message, err.data);
    throw err;
  }
}

/** 2025-03-26 batches: one answer per request (and per invalid member), in order; none → 202. */
async function answerBatch(c: Context<AppEnv>, record: DeploymentRecord, messages: ParsedMessage[]) {
  // Resolved even for a batch of notifications: it verifies the session id (404 when it is not ours).
  const resolved = await adapterForRequest(c, record);
  const adapter = messages.some((m) => m.kind === "request") ? resolved : null;
  if (adapter) assertAdapterEnabled(record, adapter);
  const responses = messages.flatMap((m) => {
    if (m.kind === "invalid") return [rpcError(null, m.code, m.message)];
    if (m.kind === "request") return [answer(record, adapter!, m.request)];
    return [];
  });
  return responses.length ? c.json(responses) : c.body(null, 202);
}

async function handlePost(c: Context<AppEnv>) {
  const version = c.req.header("MCP-Protocol-Version");
  if (version !== undefined && !isSupportedVersion(version)) {
    // 400 also makes dual-era (2026-07-28) clients fall back to initialize.
    throw new ApiError("VALIDATION_ERROR", `Unsupported MCP-Protocol-Version '${version}'`, {
      supported: [...SUPPORTED_PROTOCOL_VERSIONS],
      requested: version,
    });
  }
  const contentType = c.req.header("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "MCP messages must be sent as Content-Type: application/json");
  }
  const read = readBoundedJson(await c.req.text(), { maxBytes: c.var.config.MAX_BODY_BYTES });
  if (!read.ok && read.reason === "malformed") return c.json(rpcError(null, JSONRPC.PARSE_ERROR, "Parse error: the body is not valid JSON"), 400);
  if (!read.ok) return c.json(rpcError(null, JSONRPC.INVALID_REQUEST, read.message, limitDetails(read)), read.reason === "too_large" ? 413 : 400);
  const parsed = parseBody(read.value, acceptsBatches(version));
  if (parsed.kind === "invalid") return c.json(rpcError(null, parsed.code, parsed.message), 400);

  const deploymentId = c.req.param("deploymentId") ?? "";
  const record = DEPLOYMENT_ID.test(deploymentId) ? await loadRecord(c.var.db, c.env.KV, deploymentId, c.var.clock.now()) : null;
  if (!record) throw notFound("Deployment", deploymentId);
  if (record.status !== "active") {
    throw new ApiError("LOCKED", "This deployment is inactive; its owner can re-activate it", { deploymentId, status: record.status });
  }
  await assertMayUse(c, record);

  if (parsed.kind === "batch") return answerBatch(c, record, parsed.messages);
  const { message } = parsed;
  if (message.kind === "notification") {
    // The spec's 404 for an unknown session applies to every message, notifications included.
    await adapterForRequest(c, record);
    return c.body(null, 202);
  }
  const { request } = message;
  if (request.method === "initialize") return initialize(c, record, request);

  const adapter = await adapterForRequest(c, record);
  assertAdapterEnabled(record, adapter);
  return c.json(answer(record, adapter, request));
}

/**
 * `/mcp/{deploymentId}`: stateless Streamable HTTP with JSON responses. Both `/mcp/x` and
 * `/mcp/x/` answer directly (Codex fails on a redirect). No server stream: GET and DELETE 405.
 */
const handle = async (c: Context<AppEnv>) => {
  assertOriginAllowed(c);
  if (c.req.method !== "POST") {
    throw new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not supported here; send MCP messages with POST`, {}, { Allow: "POST" });
  }
  return handlePost(c);
};

export const mcpRoutes = new Hono<AppEnv>().all("/:deploymentId", handle).all("/:deploymentId/", handle);
