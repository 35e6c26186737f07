import type { Context } from "hono";
import type { AppEnv } from "../env";
import { instructionsFor, serveAdapter, wantedAdapter } from "./adapter";
import type { McpCaller } from "./auth";
import { countModernConnection } from "./connection";
import { SERVER_CAPABILITIES, SERVER_INFO, dispatch } from "./dispatch";
import { runToolsResult } from "./run-tools";
import { MODERN_METHODS, clientNameOf, discoverResult, modernErrorCode, modernResult } from "./modern";
import { ALL_PROTOCOL_VERSIONS, JSONRPC, RpcError, rpcError, rpcResult, type JsonRpcRequest } from "./protocol";

/**
 * 2026-07-28: stateless per request. The adapter comes from `?adapter=` or the request's own
 * `_meta` clientInfo, so nothing travels between requests and the deployment's KV record is
 * still the only read.
 */
export async function serveModern(c: Context<AppEnv>, caller: McpCaller, request: JsonRpcRequest) {
  const { record } = caller;
  if (!MODERN_METHODS.has(request.method)) {
    return c.json(rpcError(request.id, JSONRPC.METHOD_NOT_FOUND, `Method not found: ${request.method}`), 404);
  }
  const clientName = clientNameOf(request);
  const served = serveAdapter(record, wantedAdapter(c, clientName));
  const who = caller.userId ?? `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}`;
  await countModernConnection({
    db: c.var.db,
    record,
    adapter: served.adapter,
    identity: JSON.stringify([who, typeof clientName === "string" ? clientName : ""]),
    now: c.var.clock.now(),
    upgradeUrl: c.var.config.UPGRADE_URL,
  });
  try {
    const forOwner = await runToolsResult(c, record, request, caller.userId);
    const result =
      forOwner ??
      (request.method === "server/discover"
        ? discoverResult(ALL_PROTOCOL_VERSIONS, SERVER_CAPABILITIES, SERVER_INFO, instructionsFor(record, served))
        : dispatch(record, served.adapter, request));
    // The owner's list (with the run tools) is never cacheable as the deployment's public list.
    const scope = forOwner ? { ...record, allowAnonymous: false } : record;
    return c.json(rpcResult(request.id, modernResult(request.method, scope, result)));
  } catch (err) {
    if (err instanceof RpcError) return c.json(rpcError(request.id, modernErrorCode(err.code), err.message, err.data));
    throw err;
  }
}
