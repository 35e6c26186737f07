/** JSON-RPC 2.0, shared by the agent runtime (/rpc) and the MCP server (/mcp). */
export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
} as const;

/** Thrown by method handlers; becomes a JSON-RPC error response (HTTP 200). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type JsonRpcErrorId = string | number | null;

/** The one JSON-RPC error object both endpoints answer with. */
export const jsonRpcError = (id: JsonRpcErrorId, code: number, message: string, data?: unknown) => ({
  jsonrpc: "2.0" as const,
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** Paths that speak JSON-RPC: their message-level errors are JSON-RPC error objects, never the REST envelope. */
export const isJsonRpcPath = (path: string) => path === "/rpc" || path === "/rpc/" || path.startsWith("/mcp/");
