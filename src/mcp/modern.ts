import type { DeploymentRecord } from "../deployments/record";
import { ALL_PROTOCOL_VERSIONS, JSONRPC, RpcError, type JsonRpcRequest } from "./protocol";
import { isObject } from "../http/validate";

/**
 * Revision 2026-07-28 ("modern"): no initialize and no session. Every request carries its
 * version, client identity and capabilities in `params._meta`, and mirrors the method (and
 * the tool/prompt name or resource uri) into headers that must agree with the body.
 */
export const MODERN_PROTOCOL_VERSION = ALL_PROTOCOL_VERSIONS[0];

export const MODERN_ERRORS = { HEADER_MISMATCH: -32020, UNSUPPORTED_PROTOCOL_VERSION: -32022 } as const;

const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;

/** Results the caching utility says MUST carry `ttlMs` and `cacheScope`. */
const CACHEABLE = new Set(["server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/**
 * A minute: a deployment change takes up to ~60 s to reach every location through KV anyway,
 * so a client re-listing sooner could still see the old list.
 */
export const LIST_TTL_MS = 60_000;

const NAME_SOURCE: Record<string, "name" | "uri"> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };


export function requestMeta(request: { params?: unknown }): Record<string, unknown> {
  const meta = isObject(request.params) ? request.params._meta : undefined;
  return isObject(meta) ? meta : {};
}

/** The body's `_meta` protocol version, when the message is a request that carries one. */
export function bodyProtocolVersion(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.params) || !isObject(body.params._meta)) return undefined;
  const v = body.params._meta[META.protocolVersion];
  return typeof v === "string" ? v : undefined;
}

export function clientNameOf(request: JsonRpcRequest): unknown {
  const info = requestMeta(request)[META.clientInfo];
  return isObject(info) ? info.name : undefined;
}

/** `=?base64?…?=` is how a client carries a name that is not plain header-safe ASCII. */
function decodeHeaderValue(value: string): string | null {
  const m = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
  if (!m) return value;
  try {
    const bytes = Uint8Array.from(atob(m[1]!), (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

const mismatch = (message: string) => new RpcError(MODERN_ERRORS.HEADER_MISMATCH, `Header mismatch: ${message}`);

/** Throws -32020 (answered with HTTP 400) when the mirrored headers disagree with the body. */
export function assertHeadersMatch(headers: Headers, request: JsonRpcRequest, headerVersion: string): void {
  const bodyVersion = requestMeta(request)[META.protocolVersion];
  if (bodyVersion !== headerVersion) {
    throw mismatch(`MCP-Protocol-Version header '${headerVersion}' does not match _meta["${META.protocolVersion}"] '${String(bodyVersion)}'`);
  }
  const method = headers.get("Mcp-Method");
  if (method === null) throw mismatch("the Mcp-Method header is required");
  if (method !== request.method) throw mismatch(`Mcp-Method header '${method}' does not match body method '${request.method}'`);
  const source = NAME_SOURCE[request.method];
  if (!source) return;
  const raw = headers.get("Mcp-Name");
  if (raw === null) throw mismatch(`the Mcp-Name header is required for ${request.method}`);
  const name = decodeHeaderValue(raw);
  const bodyValue = isObject(request.params) ? request.params[source] : undefined;
  if (name === null) throw mismatch("Mcp-Name is not valid =?base64?…?= encoding");
  if (name !== bodyValue) throw mismatch(`Mcp-Name header '${raw}' does not match body params.${source} '${String(bodyValue)}'`);
}

/** Anyone may cache an anonymous deployment's lists; a private one's only per credential. */
export const cacheScopeOf = (record: DeploymentRecord) => (record.allowAnonymous ? "public" : "private");

/** Every modern result says `resultType`; the cacheable ones add the caching hints. */
export function modernResult(method: string, record: DeploymentRecord, result: object): object {
  const decorated: Record<string, unknown> = { ...result, resultType: "complete" };
  if (CACHEABLE.has(method)) Object.assign(decorated, { ttlMs: LIST_TTL_MS, cacheScope: cacheScopeOf(record) });
  return decorated;
}

/** 2026-07-28 retired -32002 (resource not found) in favour of -32602. */
export const modernErrorCode = (code: number) => (code === JSONRPC.RESOURCE_NOT_FOUND ? JSONRPC.INVALID_PARAMS : code);

export function discoverResult(supportedVersions: readonly string[], capabilities: object, serverInfo: object, instructions: string) {
  return { supportedVersions: [...supportedVersions], capabilities, _meta: { [META.serverInfo]: serverInfo }, instructions };
}
