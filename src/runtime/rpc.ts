import type { z } from "zod";
import { JSONRPC, RpcError, jsonRpcError } from "../http/jsonrpc";
import { limitDetails, readBoundedJson, type JsonLimits } from "../http/json-limits";
import { issuesOf } from "../http/validate";

/** Larger batches are refused as a whole with one -32600. */
export const MAX_BATCH = 50;


export const invalidParams = (message: string, data: Record<string, unknown>) => new RpcError(JSONRPC.INVALID_PARAMS, message, data);

type Id = string | number | null;
export type RpcResponse =
  | { jsonrpc: "2.0"; id: Id; result: unknown }
  | { jsonrpc: "2.0"; id: Id; error: { code: number; message: string; data?: unknown } };

export interface RpcMethod<P extends z.ZodType, C> {
  params: P;
  handler: (params: z.infer<P>, ctx: C) => Promise<unknown>;
}

export type MethodTable<C> = Record<string, RpcMethod<z.ZodType, C>>;

/** Declares a method with typed params; the dispatcher validates before calling it. */
export const method = <P extends z.ZodType, C>(params: P, handler: (params: z.infer<P>, ctx: C) => Promise<unknown>) =>
  ({ params, handler }) as unknown as RpcMethod<z.ZodType, C>;

const errorResponse = (id: Id, code: number, message: string, data?: unknown): RpcResponse => jsonRpcError(id, code, message, data);

/**
 * Handles one HTTP body: a request, a notification or a batch. Returns the response body,
 * or null when nothing is to be answered (only notifications: HTTP 204).
 */
export async function handleRpcBody<C>(raw: string, methods: MethodTable<C>, ctx: C, onInternal: (err: unknown) => void, limits: JsonLimits) {
  const read = readBoundedJson(raw, limits);
  if (!read.ok && read.reason === "malformed") {
    return errorResponse(null, JSONRPC.PARSE_ERROR, "Parse error", { reason: "The request body is not valid JSON" });
  }
  // Over a limit: refused before parsing, naming the limit (nothing deeper ever reaches zod).
  if (!read.ok) return errorResponse(null, JSONRPC.INVALID_REQUEST, "Invalid Request", { reason: read.message, ...limitDetails(read) });
  const payload = read.value;
  if (Array.isArray(payload)) {
    if (payload.length === 0) return errorResponse(null, JSONRPC.INVALID_REQUEST, "Invalid Request", { reason: "A batch must not be empty" });
    if (payload.length > MAX_BATCH) {
      return errorResponse(null, JSONRPC.INVALID_REQUEST, "Invalid Request", { reason: `A batch holds at most ${MAX_BATCH} requests` });
    }
    // Sequential, so a batch like [run, status] behaves as written.
    const responses: RpcResponse[] = [];
    for (const item of payload) {
      const response = await handleOne(item, methods, ctx, onInternal);
      if (response) responses.push(response);
    }
    return responses.length > 0 ? responses : null;
  }
  return handleOne(payload, methods, ctx, onInternal);
}

async function handleOne<C>(item: unknown, methods: MethodTable<C>, ctx: C, onInternal: (err: unknown) => void): Promise<RpcResponse | null> {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return errorResponse(null, JSONRPC.INVALID_REQUEST, "Invalid Request", { reason: "A request must be a JSON object" });
  }
  const request = item as Record<string, unknown>;
  const hasId = Object.hasOwn(request, "id");
  const idValid = !hasId || request.id === null || typeof request.id === "string" || (typeof request.id === "number" && Number.isFinite(request.id));
  const id: Id = hasId && idValid ? (request.id as Id) : null;
  const invalid = (reason: string) => errorResponse(id, JSONRPC.INVALID_REQUEST, "Invalid Request", { reason });

  if (request.jsonrpc !== "2.0") return invalid('"jsonrpc" must be exactly "2.0"');
  if (typeof request.method !== "string" || request.method === "") return invalid('"method" must be a non-empty string');
  if (!idValid) return invalid('"id" must be a string, a number or null');
  if (request.params !== undefined && (typeof request.params !== "object" || request.params === null)) {
    return invalid('"params" must be an object or an array');
  }
  const isNotification = !hasId;
  const answer = (response: RpcResponse) => (isNotification ? null : response);

  const entry = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
  if (!entry) return answer(errorResponse(id, JSONRPC.METHOD_NOT_FOUND, "Method not found", { method: request.method }));

  if (Array.isArray(request.params)) {
    return answer(errorResponse(id, JSONRPC.INVALID_PARAMS, "Invalid params", { reason: "params must be an object (by-name parameters)" }));
  }
  const parsed = entry.params.safeParse(request.params ?? {});
  if (!parsed.success) {
    return answer(errorResponse(id, JSONRPC.INVALID_PARAMS, "Invalid params", { issues: issuesOf(parsed.error) }));
  }
  try {
    const result = await entry.handler(parsed.data, ctx);
    return answer({ jsonrpc: "2.0", id, result });
  } catch (err) {
    if (err instanceof RpcError) return answer(errorResponse(id, err.code, err.message, err.data));
    onInternal(err);
    return answer(errorResponse(id, JSONRPC.INTERNAL_ERROR, "Internal error"));
  }
}
