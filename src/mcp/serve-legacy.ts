import type { Context } from "hono";
import type { DeploymentRecord } from "../deployments/record";
import { countConnection } from "../deployments/usage";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { adapterOverride, instructionsFor, serveAdapter, wantedAdapter } from "./adapter";
import type { McpCaller } from "./auth";
import { SERVER_CAPABILITIES, SERVER_INFO, dispatch } from "./dispatch";
import { JSONRPC, RpcError, negotiateVersion, rpcError, rpcResult, type JsonRpcRequest, type ParsedBody } from "./protocol";
import { runToolsResult } from "./run-tools";
import { signSession, verifySession } from "./session";
import type { Adapter } from "../manifest/schema";

/**
 * 2025-03-26, 2025-06-18 and 2025-11-25: `initialize` picks the adapter and returns it in a
 * signed Mcp-Session-Id, since later requests carry no client identity.
 */
const SESSION_HEADER = "Mcp-Session-Id";

async function adapterForRequest(c: Context<AppEnv>, record: DeploymentRecord): Promise<Adapter> {
  const sessionId = c.req.header(SESSION_HEADER);
  if (sessionId !== undefined) {
    const session = await verifySession(c.var.config, sessionId, record.deploymentId);
    // 404 tells the client to send a fresh initialize (spec: unknown or terminated session).
    if (!session) throw new ApiError("NOT_FOUND", "Unknown MCP session; send a new initialize request");
    // An adapter disabled since the session began falls back like a new connection would.
    return serveAdapter(record, session.adapter).adapter;
  }
  // Clients that skip sessions (curl, stateless gateways) get the override or the default.
  return serveAdapter(record, adapterOverride(c)).adapter;
}

async function initialize(c: Context<AppEnv>, record: DeploymentRecord, request: JsonRpcRequest) {
  const params = request.params ?? {};
  if (typeof params.protocolVersion !== "string") {
    return c.json(rpcError(request.id, JSONRPC.INVALID_PARAMS, "initialize needs params.protocolVersion"));
  }
  const clientInfo = (params.clientInfo ?? {}) as { name?: unknown };
  const served = serveAdapter(record, wantedAdapter(c, clientInfo.name));
  const now = c.var.clock.now();
  await countConnection(c.var.db, record.ownerId, record.deploymentId, served.adapter, now, c.var.config.UPGRADE_URL);

  c.header(SESSION_HEADER, await signSession(c.var.config, { adapter: served.adapter, deploymentId: record.deploymentId }, now));
  return c.json(
    rpcResult(request.id, {
      protocolVersion: negotiateVersion(params.protocolVersion),
      capabilities: SERVER_CAPABILITIES,
      serverInfo: SERVER_INFO,
      instructions: instructionsFor(record, served),
    }),
  );
}

export function answer(record: DeploymentRecord, adapter: Adapter, request: JsonRpcRequest) {
  try {
    return rpcResult(request.id, dispatch(record, adapter, request));
  } catch (err) {
    if (err instanceof RpcError) return rpcError(request.id, err.code, err.message, err.data);
    throw err;
  }
}

/** The owner's run tools (tools/list and tools/call), answered as a JSON-RPC response; else null. */
async function ownerAnswer(c: Context<AppEnv>, caller: McpCaller, request: JsonRpcRequest) {
  try {
    const result = await runToolsResult(c, caller.record, request, caller.userId);
    return result && rpcResult(request.id, result);
  } catch (err) {
    if (err instanceof RpcError) return rpcError(request.id, err.code, err.message, err.data);
    throw err;
  }
}

export async function serveLegacy(c: Context<AppEnv>, caller: McpCaller, parsed: Exclude<ParsedBody, { kind: "invalid" }>) {
  const { record } = caller;
  if (parsed.kind === "batch") {
    // 2025-03-26 batches: one answer per request (and per invalid member), in order; none → 202.
    // The adapter is resolved even for notifications: that verifies the session id (404 if not ours).
    const adapter = await adapterForRequest(c, record);
    const responses = parsed.messages.flatMap((m) => {
      if (m.kind === "invalid") return [rpcError(null, m.code, m.message)];
      if (m.kind === "request") return [answer(record, adapter, m.request)];
      return [];
    });
    return responses.length ? c.json(responses) : c.body(null, 202);
  }
  const { message } = parsed;
  if (message.kind === "notification") {
    // The spec's 404 for an unknown session applies to every message, notifications included.
    await adapterForRequest(c, record);
    return c.body(null, 202);
  }
  if (message.request.method === "initialize") return initialize(c, record, message.request);
  const adapter = await adapterForRequest(c, record);
  const forOwner = await ownerAnswer(c, caller, message.request);
  return c.json(forOwner ?? answer(record, adapter, message.request));
}
