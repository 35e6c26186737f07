import { JSONRPC, RpcError } from "../http/jsonrpc";
import { answerBody, type MethodTable } from "../http/jsonrpc-dispatch";
import { parseBody, readRpcJson, type FramingRules } from "../http/jsonrpc-framing";
import type { JsonLimits } from "../http/json-limits";

export const invalidParams = (message: string, data: Record<string, unknown>) => new RpcError(JSONRPC.INVALID_PARAMS, message, data);

/** `/rpc` is plain JSON-RPC 2.0: null ids, by-position params (answered -32602), batches; details in `data.reason`. */
const RPC_RULES: FramingRules = {
  detail: "data",
  nullId: true,
  positionalParams: true,
  acknowledgeReplies: false,
  echoInvalidId: true,
  batches: true,
};

/**
 * Handles one HTTP body: a request, a notification or a batch. Returns the response body,
 * or null when nothing is to be answered (only notifications: HTTP 204).
 */
export async function handleRpcBody<C>(raw: string, methods: MethodTable<C>, ctx: C, onInternal: (err: unknown) => void, limits: JsonLimits) {
  const read = readRpcJson(raw, limits, RPC_RULES);
  if (!read.ok) return read.error;
  return answerBody(parseBody(read.value, RPC_RULES), methods, ctx, { rules: RPC_RULES, onInternal, runNotifications: true });
}
