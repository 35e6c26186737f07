import { Hono, type Context } from "hono";
import { loadRecord } from "../deployments/record-loader";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { invalidRequest, parseBody, readRpcJson, refusedBody, type JsonRpcId } from "../http/jsonrpc-framing";
import { admitCaller } from "./auth";
import { rebindingRefusal } from "./guard";
import { MODERN_ERRORS, MODERN_PROTOCOL_VERSION, assertHeadersMatch, bodyProtocolVersion } from "./modern";
import { ALL_PROTOCOL_VERSIONS, RpcError, isSupportedVersion, mcpRules, rpcError } from "./protocol";
import { serveLegacy } from "./serve-legacy";
import { serveModern } from "./serve-modern";
import { dbOf } from "../db/session";
import { isPromise } from "../maybe-promise";

const DEPLOYMENT_ID = /^dep_[A-Za-z0-9]{1,64}$/;

const idOf = (body: unknown): JsonRpcId => {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
};

async function handlePost(c: Context<AppEnv>) {
  const contentType = c.req.header("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "MCP messages must be sent as Content-Type: application/json");
  }
  // The era: 2026-07-28 in MCP-Protocol-Version means per-request `_meta`, anything older initialize.
  const version = c.req.header("MCP-Protocol-Version");
  const rules = mcpRules(version);
  // Read once, so straight from the request: Hono's c.req.text() keeps a copy for re-reads.
  const read = readRpcJson(await c.req.raw.text(), { maxBytes: c.get("config").MAX_BODY_BYTES }, rules);
  if (!read.ok) return c.json(read.error, read.tooLarge ? 413 : 400);
  const body = read.value;

  if (version !== undefined && !isSupportedVersion(version)) {
    return c.json(
      rpcError(idOf(body), MODERN_ERRORS.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version", {
        supported: [...ALL_PROTOCOL_VERSIONS],
        requested: version,
      }),
      400,
    );
  }
  if (version === undefined && bodyProtocolVersion(body) === MODERN_PROTOCOL_VERSION) {
    return c.json(rpcError(idOf(body), MODERN_ERRORS.HEADER_MISMATCH, "Header mismatch: the MCP-Protocol-Version header is required"), 400);
  }
  const modern = version === MODERN_PROTOCOL_VERSION;
  // Framing errors of the whole body (a refused batch, an invalid single message) are HTTP 400.
  const parsed = parseBody(body, rules);
  if (parsed.kind === "refused") return c.json(refusedBody(rules, parsed), 400);
  if (parsed.kind === "single" && parsed.message.kind === "invalid") return c.json(invalidRequest(rules, parsed.message.id, parsed.message.reason), 400);
  if (modern && parsed.kind === "single" && parsed.message.kind === "request") {
    try {
      assertHeadersMatch(c.req.raw.headers, parsed.message, version);
    } catch (err) {
      if (err instanceof RpcError) return c.json(rpcError(parsed.message.id, err.code, err.message), 400);
      throw err;
    }
  }

  const deploymentId = c.req.param("deploymentId") ?? "";
  if (!DEPLOYMENT_ID.test(deploymentId)) throw notFound("Deployment", deploymentId);
  // Served from the isolate's caches, a request goes on without suspending (src/maybe-promise.ts).
  const loaded = loadRecord(() => dbOf(c), c.env.KV, deploymentId, c.get("clock"));
  const admitted = admitCaller(c, deploymentId, isPromise(loaded) ? await loaded : loaded);
  const caller = isPromise(admitted) ? await admitted : admitted;

  // A modern body is one message (its rules take no batch).
  if (!modern || parsed.kind !== "single") return serveLegacy(c, caller, parsed, rules);
  if (parsed.message.kind !== "request") return c.body(null, 202);
  return serveModern(c, caller, parsed.message);
}

/**
 * `/mcp/{deploymentId}`: stateless Streamable HTTP with JSON responses, for the 2026-07-28
 * revision and the initialize-era ones. Both `/mcp/x` and `/mcp/x/` answer directly (Codex
 * fails on a redirect). No server stream: GET and DELETE 405.
 */
const handle = (c: Context<AppEnv>) => {
  const refused = rebindingRefusal(c.get("config"), c.req.raw);
  if (refused) return c.json(refused.body, refused.status);
  if (c.req.method !== "POST") {
    throw new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not supported here; send MCP messages with POST`, {}, { Allow: "POST" });
  }
  return handlePost(c);
};

export const mcpRoutes = new Hono<AppEnv>().all("/:deploymentId", handle).all("/:deploymentId/", handle);
