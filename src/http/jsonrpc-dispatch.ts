import type { z } from "zod";
import type { MaybePromise } from "../maybe-promise";
import { JSONRPC, RpcError, jsonRpcError } from "./jsonrpc";
import { framedError, invalidRequest, refusedBody, type Body, type ErrorObject, type FramingRules, type JsonRpcId, type Message } from "./jsonrpc-framing";
import { issueText, issuesOf } from "./validate";

/**
 * The one dispatcher of a method table, for `/rpc` and `/mcp`: params are validated with the
 * method's zod schema before its handler runs (-32602 naming each issue's path), an `RpcError`
 * becomes its JSON-RPC error, anything else -32603 without its text.
 */
export interface RpcMethod<P extends z.ZodType, C> {
  /** null: any by-name params pass as they are (framing has already made them an object). */
  params: P | null;
  handler: (params: z.infer<P>, ctx: C) => MaybePromise<unknown>;
}

export type MethodTable<C> = Record<string, RpcMethod<z.ZodType, C>>;

/** Declares a method with typed params; the dispatcher validates before calling it. */
export const method = <P extends z.ZodType, C>(params: P, handler: (params: z.infer<P>, ctx: C) => Promise<unknown>) =>
  ({ params, handler }) as unknown as RpcMethod<z.ZodType, C>;

/**
 * A method that takes any by-name params (MCP methods with none, or that check their own, with
 * answers a static schema cannot give). No schema runs: a zod object parse costs as much as the
 * rest of a cached MCP answer's logic, for nothing framing has not already checked.
 */
export const openMethod = <C>(handler: (params: Record<string, unknown>, ctx: C) => MaybePromise<unknown>) =>
  ({ params: null, handler }) as unknown as RpcMethod<z.ZodType, C>;

export type RpcResponse = { jsonrpc: "2.0"; id: JsonRpcId; result: unknown } | ErrorObject;

/** `onInternal` for callers whose failures belong to the app's error handler (401/404/423, a crash), not to a -32603. */
export const rethrow = (err: unknown): never => {
  throw err;
};

interface RequestOptions {
  detail: FramingRules["detail"];
  /** An unexpected failure: logged (the answer is -32603 "Internal error"), or rethrown to the app's error handler. */
  onInternal: (err: unknown) => void;
}

export interface DispatchOptions extends Omit<RequestOptions, "detail"> {
  rules: FramingRules;
  /** /rpc runs notifications (unanswered); MCP only acknowledges them, so a notification never calls a tool. */
  runNotifications: boolean;
}

/** -32601, in the endpoint's style. */
export const methodNotFound = (detail: FramingRules["detail"], id: JsonRpcId, name: string) =>
  detail === "data"
    ? jsonRpcError(id, JSONRPC.METHOD_NOT_FOUND, "Method not found", { method: name })
    : jsonRpcError(id, JSONRPC.METHOD_NOT_FOUND, `Method not found: ${name}`);

/** One request: its response, from the table's method or the JSON-RPC error that stands for it. */
export async function dispatchRequest<C>(
  request: { id: JsonRpcId; method: string; params?: unknown },
  table: MethodTable<C>,
  ctx: C,
  options: RequestOptions,
): Promise<RpcResponse> {
  const { detail } = options;
  const { id } = request;
  if (!Object.hasOwn(table, request.method)) return methodNotFound(detail, id, request.method);
  const entry = table[request.method]!;
  if (Array.isArray(request.params)) {
    return framedError(detail, id, JSONRPC.INVALID_PARAMS, "Invalid params", "params must be an object (by-name parameters)");
  }
  let params: unknown = request.params ?? {};
  if (entry.params !== null) {
    const parsed = entry.params.safeParse(params);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      return detail === "data"
        ? jsonRpcError(id, JSONRPC.INVALID_PARAMS, "Invalid params", { issues })
        : jsonRpcError(id, JSONRPC.INVALID_PARAMS, issueText(issues));
    }
    params = parsed.data;
  }
  try {
    return { jsonrpc: "2.0", id, result: await entry.handler(params, ctx) };
  } catch (err) {
    if (err instanceof RpcError) return jsonRpcError(id, err.code, err.message, err.data);
    options.onInternal(err);
    return jsonRpcError(id, JSONRPC.INTERNAL_ERROR, "Internal error");
  }
}

/**
 * One framed message: a response, or null for what is not answered (notifications, replies).
 * Not itself async: a request's answer is dispatchRequest's own promise (each async layer costs
 * a suspension on the hot path).
 */
function answerMessage<C>(message: Message, table: MethodTable<C>, ctx: C, options: DispatchOptions): MaybePromise<RpcResponse | null> {
  const requestOptions = { detail: options.rules.detail, onInternal: options.onInternal };
  switch (message.kind) {
    case "invalid":
      return invalidRequest(options.rules, message.id, message.reason);
    case "reply":
      return null;
    case "notification":
      return options.runNotifications ? dispatchRequest({ id: null, ...message }, table, ctx, requestOptions).then(() => null) : null;
    case "request":
      return dispatchRequest(message, table, ctx, requestOptions);
  }
}

/**
 * A whole body: one response, an array of them (a batch, in order: executed one after the
 * other, so a batch like [run, status] behaves as written), or null when nothing is answered.
 */
export function answerBody<C>(body: Body, table: MethodTable<C>, ctx: C, options: DispatchOptions): MaybePromise<RpcResponse | RpcResponse[] | null> {
  if (body.kind === "refused") return refusedBody(options.rules, body);
  if (body.kind === "single") return answerMessage(body.message, table, ctx, options);
  return answerBatch(body.messages, table, ctx, options);
}

async function answerBatch<C>(messages: Message[], table: MethodTable<C>, ctx: C, options: DispatchOptions): Promise<RpcResponse[] | null> {
  const responses: RpcResponse[] = [];
  for (const message of messages) {
    const response = await answerMessage(message, table, ctx, options);
    if (response) responses.push(response);
  }
  return responses.length > 0 ? responses : null;
}
