import { JSONRPC as BASE_CODES, jsonRpcError } from "../http/jsonrpc";
import type { Adapter } from "../manifest/schema";

export { RpcError } from "../http/jsonrpc";

/** Newest first; `initialize` echoes a supported request, else answers with the newest. */
export const SUPPORTED_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
export const LATEST_PROTOCOL_VERSION = SUPPORTED_PROTOCOL_VERSIONS[0];

/** JSON-RPC codes plus MCP's own resource-not-found. */
export const JSONRPC = { ...BASE_CODES, RESOURCE_NOT_FOUND: -32002 } as const;

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

export type ParsedMessage =
  | { kind: "request"; request: JsonRpcRequest }
  | { kind: "notification" }
  | { kind: "invalid"; code: number; message: string };

export function negotiateVersion(requested: unknown): string {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly unknown[]).includes(requested) ? (requested as string) : LATEST_PROTOCOL_VERSION;
}

export const isSupportedVersion = (v: string) => (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(v);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One JSON-RPC message (an array element of a batch is parsed the same way). */
export function parseMessage(body: unknown): ParsedMessage {
  if (!isObject(body) || body.jsonrpc !== "2.0") return { kind: "invalid", code: JSONRPC.INVALID_REQUEST, message: 'Expected a JSON-RPC 2.0 message ("jsonrpc": "2.0")' };
  const hasId = "id" in body;
  if (typeof body.method === "string") {
    if (!hasId) return { kind: "notification" };
    if (typeof body.id !== "string" && typeof body.id !== "number") {
      return { kind: "invalid", code: JSONRPC.INVALID_REQUEST, message: "Request id must be a string or a number" };
    }
    if (body.params !== undefined && !isObject(body.params)) {
      return { kind: "invalid", code: JSONRPC.INVALID_REQUEST, message: "params must be an object" };
    }
    return { kind: "request", request: body as unknown as JsonRpcRequest };
  }
  // A response to a server→client request (we never send any): acknowledged and ignored.
  if (hasId && ("result" in body || "error" in body)) return { kind: "notification" };
  return { kind: "invalid", code: JSONRPC.INVALID_REQUEST, message: "Message has no method" };
}

/**
 * 2025-03-26 says servers MUST accept JSON-RPC batches; 2025-06-18 removed them. A request
 * without MCP-Protocol-Version is 2025-03-26 (the header arrived in 2025-06-18, and the spec
 * says to assume 2025-03-26 when it is absent), so only then or with that version is a batch taken.
 */
export const acceptsBatches = (headerVersion: string | undefined) => headerVersion === undefined || headerVersion === "2025-03-26";
export const MAX_BATCH_SIZE = 50;

export type ParsedBody =
  | { kind: "single"; message: Exclude<ParsedMessage, { kind: "invalid" }> }
  | { kind: "batch"; messages: ParsedMessage[] }
  | { kind: "invalid"; code: number; message: string };

export function parseBody(body: unknown, batchesAllowed: boolean): ParsedBody {
  if (!Array.isArray(body)) {
    const message = parseMessage(body);
    return message.kind === "invalid" ? message : { kind: "single", message };
  }
  const invalid = (message: string): ParsedBody => ({ kind: "invalid", code: JSONRPC.INVALID_REQUEST, message });
  if (!batchesAllowed) return invalid("JSON-RPC batches were removed in MCP 2025-06-18; send one message per POST");
  if (body.length === 0) return invalid("Empty JSON-RPC batch");
  if (body.length > MAX_BATCH_SIZE) return invalid(`A JSON-RPC batch may hold at most ${MAX_BATCH_SIZE} messages`);
  const messages = body.map(parseMessage);
  if (messages.some((m) => m.kind === "request" && m.request.method === "initialize")) {
    return invalid("initialize must not be part of a JSON-RPC batch; send it on its own");
  }
  return { kind: "batch", messages };
}

export const rpcResult = (id: JsonRpcId, result: unknown) => ({ jsonrpc: "2.0" as const, id, result });

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
