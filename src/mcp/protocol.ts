import { JSONRPC as BASE_CODES, jsonRpcError } from "../http/jsonrpc";
import type { FramingRules, Message } from "../http/jsonrpc-framing";
import type { Adapter } from "../manifest/schema";

export { RpcError } from "../http/jsonrpc";

/** The initialize-era versions, newest first; `initialize` echoes one, else answers with the newest. */
export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0];

/** Every version served, the per-request 2026-07-28 revision first (server/discover, -32022 data). */
export const ALL_PROTOCOL_VERSIONS = ["2026-07-28", ...SUPPORTED_PROTOCOL_VERSIONS] as const;

/** JSON-RPC codes plus MCP's own resource-not-found. */
export const JSONRPC = { ...BASE_CODES, RESOURCE_NOT_FOUND: -32002 } as const;

/** A request as the framing passes it under `mcpRules()`: a string or number id, params an object. */
export type JsonRpcRequest = Extract<Message, { kind: "request" }>;

export function negotiateVersion(requested: unknown): string {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly unknown[]).includes(requested) ? (requested as string) : LATEST_PROTOCOL_VERSION;
}

export const isSupportedVersion = (v: string) => (ALL_PROTOCOL_VERSIONS as readonly string[]).includes(v);

/**
 * 2025-03-26 says servers MUST accept JSON-RPC batches; 2025-06-18 removed them. A request
 * without MCP-Protocol-Version is 2025-03-26 (the header arrived in 2025-06-18, and the spec
 * says to assume 2025-03-26 when it is absent), so only then or with that version is a batch taken.
 */
const acceptsBatches = (headerVersion: string | undefined) => headerVersion === undefined || headerVersion === "2025-03-26";

/** MCP's JSON-RPC: ids are strings or numbers, params objects, replies acknowledged, errors worded in the message. */
export function mcpRules(headerVersion: string | undefined): FramingRules {
  return {
    detail: "message",
    nullId: false,
    positionalParams: false,
    acknowledgeReplies: true,
    echoInvalidId: false,
    batches: acceptsBatches(headerVersion) ? true : { refused: "JSON-RPC batches were removed in MCP 2025-06-18; send one message per POST" },
    soloMethods: ["initialize"],
  };
}

export const rpcError = jsonRpcError;

/** Prefix match on clientInfo.name, case-insensitive (claude-code, cursor-vscode, codex-mcp-client, ...). */
export function adapterForClient(name: unknown): Adapter | null {
  if (typeof name !== "string") return null;
  const lower = name.toLowerCase();
  if (lower.startsWith("claude")) return "claude";
  if (lower.startsWith("cursor")) return "cursor";
  if (lower.startsWith("codex")) return "codex";
  return null;
}

export const DEFAULT_ADAPTER: Adapter = "claude";
