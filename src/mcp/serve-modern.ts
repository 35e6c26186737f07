import type { Context } from "hono";
import type { AppEnv } from "../env";
import { dispatchRequest, methodNotFound, openMethod, rethrow, type MethodTable } from "../http/jsonrpc-dispatch";
import { instructionsFor, serveAdapter, wantedAdapter, type ServedAdapter } from "./adapter";
import type { McpCaller } from "./auth";
import { countModernConnection } from "./connection";
import { SERVER_CAPABILITIES, SERVER_INFO, SHARED_METHODS, mcpContext, type McpContext } from "./dispatch";
import { clientNameOf, discoverResult, modernErrorCode, modernResult } from "./modern";
import { ALL_PROTOCOL_VERSIONS, type JsonRpcRequest } from "./protocol";
import { dbOf } from "../db/session";

type ModernContext = McpContext & { served: ServedAdapter };

/** What a modern client may call here; anything else is HTTP 404 + -32601. */
const MODERN_METHODS: MethodTable<ModernContext> = {
  ...SHARED_METHODS,
  "server/discover": openMethod((_p, { record, served }) =>
    discoverResult(ALL_PROTOCOL_VERSIONS, SERVER_CAPABILITIES, SERVER_INFO, instructionsFor(record, served)),
  ),
};


/**
 * 2026-07-28: stateless per request. The adapter comes from `?adapter=` or the request's own
 * `_meta` clientInfo, so nothing travels between requests and the deployment's KV record is
 * still the only read.
 */
export async function serveModern(c: Context<AppEnv>, caller: McpCaller, request: JsonRpcRequest) {
  const { record } = caller;
  const options = { detail: "message", onInternal: rethrow } as const;
  if (!Object.hasOwn(MODERN_METHODS, request.method)) return c.json(methodNotFound("message", request.id, request.method), 404);

  const clientName = clientNameOf(request);
  const served = serveAdapter(record, wantedAdapter(c, clientName));
  const who = caller.userId ?? `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}`;
  await countModernConnection({
    db: () => dbOf(c),
    record,
    adapter: served.adapter,
    identity: JSON.stringify([who, typeof clientName === "string" ? clientName : ""]),
    now: c.get("clock").now(),
    upgradeUrl: c.get("config").UPGRADE_URL,
  });
  const ctx: ModernContext = { ...mcpContext(c, caller, served.adapter), served };
  const response = await dispatchRequest(request, MODERN_METHODS, ctx, options);
  if ("error" in response) return c.json({ ...response, error: { ...response.error, code: modernErrorCode(response.error.code) } });
  // The owner's list (with the run tools) is never cacheable as the deployment's public list.
  const personal = request.method === "tools/list" && (await ctx.owner()) !== null;
  const scope = personal ? { ...record, allowAnonymous: false } : record;
  return c.json({ ...response, result: modernResult(request.method, scope, response.result as object) });
}
