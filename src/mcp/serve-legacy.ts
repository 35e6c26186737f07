import type { Context } from "hono";
import type { DeploymentRecord } from "../deployments/record";
import { countConnection } from "../deployments/usage";
import type { AppEnv } from "../env";
import type { McpCaller } from "./auth";
import { ApiError } from "../errors";
import { z } from "zod";
import { answerBody, method, openMethod, rethrow, type MethodTable } from "../http/jsonrpc-dispatch";
import type { Body, FramingRules } from "../http/jsonrpc-framing";
import type { Adapter } from "../manifest/schema";
import { adapterOverride, instructionsFor, serveAdapter, wantedAdapter } from "./adapter";
import { SERVER_CAPABILITIES, SERVER_INFO, SHARED_METHODS, mcpContext, type McpContext } from "./dispatch";
import { DEFAULT_ADAPTER, negotiateVersion } from "./protocol";
import { signSession, verifySession, type McpSession } from "./session";
import { isPromise, type MaybePromise } from "../maybe-promise";
import { dbOf } from "../db/session";

/**
 * 2025-03-26, 2025-06-18 and 2025-11-25: `initialize` picks the adapter and returns it in a
 * signed Mcp-Session-Id, since later requests carry no client identity.
 */
const SESSION_HEADER = "Mcp-Session-Id";

function adapterForRequest(c: Context<AppEnv>, record: DeploymentRecord): MaybePromise<Adapter> {
  const sessionId = c.req.header(SESSION_HEADER);
  if (sessionId !== undefined) {
    const session = verifySession(c.get("config"), sessionId, record.deploymentId);
    return isPromise(session) ? session.then((s) => sessionAdapter(record, s)) : sessionAdapter(record, session);
  }
  // Clients that skip sessions (curl, stateless gateways) get the override or the default.
  return serveAdapter(record, adapterOverride(c)).adapter;
}

function sessionAdapter(record: DeploymentRecord, session: McpSession | null): Adapter {
  // 404 tells the client to send a fresh initialize (spec: unknown or terminated session).
  if (!session) throw new ApiError("NOT_FOUND", "Unknown MCP session; send a new initialize request");
  // An adapter disabled since the session began falls back like a new connection would.
  return serveAdapter(record, session.adapter).adapter;
}

const initializeParams = z.looseObject({
  protocolVersion: z.string({ error: "initialize needs params.protocolVersion" }),
  clientInfo: z.unknown().optional(),
});

/** Picks the adapter from the client's name and returns it in the signed session id. */
async function initialize(p: z.infer<typeof initializeParams>, { c, record }: McpContext) {
  const clientName = typeof p.clientInfo === "object" && p.clientInfo !== null ? (p.clientInfo as { name?: unknown }).name : undefined;
  const served = serveAdapter(record, wantedAdapter(c, clientName));
  const now = c.get("clock").now();
  await countConnection(dbOf(c), record.ownerId, record.deploymentId, served.adapter, now, c.get("config").UPGRADE_URL);

  c.header(SESSION_HEADER, await signSession(c.get("config"), { adapter: served.adapter, deploymentId: record.deploymentId }, now));
  return {
    protocolVersion: negotiateVersion(p.protocolVersion),
    capabilities: SERVER_CAPABILITIES,
    serverInfo: SERVER_INFO,
    instructions: instructionsFor(record, served),
  };
}

const LEGACY_METHODS: MethodTable<McpContext> = {
  ...SHARED_METHODS,
  initialize: method(initializeParams, initialize),
  ping: openMethod(() => ({})),
};


/**
 * A single message or a 2025-03-26 batch: one answer per request (and per invalid member), in
 * order; nothing to answer → 202. Every message but initialize verifies the session id
 * (notifications too: the spec's 404 for an unknown session applies to every message).
 */
export async function serveLegacy(c: Context<AppEnv>, caller: McpCaller, body: Body, rules: FramingRules) {
  const { record } = caller;
  const isInitialize = body.kind === "single" && body.message.kind === "request" && body.message.method === "initialize";
  // initialize picks its own adapter (a stale session id on it is no reason for a 404).
  const found = isInitialize ? DEFAULT_ADAPTER : adapterForRequest(c, record);
  const adapter = isPromise(found) ? await found : found;
  const answer = await answerBody(body, LEGACY_METHODS, mcpContext(c, caller, adapter), { rules, onInternal: rethrow, runNotifications: false });
  return answer === null ? c.body(null, 202) : c.json(answer);
}
