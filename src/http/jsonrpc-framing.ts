import { JSONRPC, jsonRpcError, type JsonRpcErrorId } from "./jsonrpc";
import { limitDetails, readBoundedJson, type JsonLimits } from "./json-limits";
import { isObject } from "./validate";

/**
 * The one JSON-RPC 2.0 framing for `/rpc` and `/mcp`: reading the body, telling a request from
 * a notification, a reply or an invalid message, and batches with one size limit. What differs
 * between the endpoints is a `FramingRules` value, never a second parser.
 */

/** Larger batches are refused as a whole with one -32600, on both endpoints. */
export const MAX_BATCH = 50;

export interface FramingRules {
  /** Where an error's detail goes: `data.reason` under the standard message (/rpc), or the message itself (MCP). */
  detail: "data" | "message";
  /** JSON-RPC 2.0 allows `"id": null`; MCP says an id is a string or a number. */
  nullId: boolean;
  /** By-position params pass framing (the dispatcher answers -32602); without, they are an invalid request. */
  positionalParams: boolean;
  /** MCP: replies to server→client requests are acknowledged (we never send any); elsewhere a message needs a method. */
  acknowledgeReplies: boolean;
  /** Whether an invalid request is answered with its (valid) id or, as MCP does, with null. */
  echoInvalidId: boolean;
  /** true, or why a batch is refused (MCP 2025-06-18 removed them). */
  batches: true | { refused: string };
  /** Methods that must arrive on their own, never inside a batch (MCP's initialize). */
  soloMethods?: readonly string[];
}

export type JsonRpcId = string | number | null;
export type Params = Record<string, unknown> | unknown[];

export type Message =
  | { kind: "request"; id: JsonRpcId; method: string; params?: Params }
  | { kind: "notification"; method: string; params?: Params }
  | { kind: "reply" }
  | { kind: "invalid"; id: JsonRpcId; reason: string };

export type Body =
  | { kind: "single"; message: Message }
  | { kind: "batch"; messages: Message[] }
  /** The whole body is refused with one -32600 (a batch that is empty, too large or not taken). */
  | { kind: "refused"; title: string; reason: string };

export type ErrorObject = ReturnType<typeof jsonRpcError>;


const isValidId = (id: unknown, rules: FramingRules) =>
  (id === null && rules.nullId) || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));

/** One message (each member of a batch is read the same way). */
export function parseMessage(value: unknown, rules: FramingRules): Message {
  if (!isObject(value)) return { kind: "invalid", id: null, reason: "A request must be a JSON object" };
  const hasId = Object.hasOwn(value, "id");
  const idValid = hasId && isValidId(value.id, rules);
  const id = idValid && rules.echoInvalidId ? (value.id as JsonRpcId) : null;
  const invalid = (reason: string): Message => ({ kind: "invalid", id, reason });

  if (value.jsonrpc !== "2.0") return invalid('"jsonrpc" must be exactly "2.0"');
  if (rules.acknowledgeReplies && value.method === undefined && hasId && ("result" in value || "error" in value)) return { kind: "reply" };
  if (typeof value.method !== "string" || value.method === "") return invalid('"method" must be a non-empty string');
  if (hasId && !idValid) return invalid(rules.nullId ? '"id" must be a string, a number or null' : '"id" must be a string or a number');
  const params = value.params;
  if (params !== undefined && !isObject(params) && !(rules.positionalParams && Array.isArray(params))) {
    return invalid(rules.positionalParams ? '"params" must be an object or an array' : '"params" must be an object');
  }
  const method = value.method;
  if (!hasId) return params === undefined ? { kind: "notification", method } : { kind: "notification", method, params: params as Params };
  return { kind: "request", id: value.id as JsonRpcId, method, ...(params === undefined ? {} : { params: params as Params }) };
}

/** A single message or a batch; a batch is checked as a whole before any member is answered. */
export function parseBody(value: unknown, rules: FramingRules): Body {
  if (!Array.isArray(value)) return { kind: "single", message: parseMessage(value, rules) };
  if (rules.batches !== true) return { kind: "refused", title: "Batch refused", reason: rules.batches.refused };
  if (value.length === 0) return { kind: "refused", title: "Empty batch", reason: "A batch must not be empty" };
  if (value.length > MAX_BATCH) return { kind: "refused", title: "Batch too large", reason: `A batch holds at most ${MAX_BATCH} requests` };
  const messages = value.map((item) => parseMessage(item, rules));
  const solo = messages.find((m) => m.kind === "request" && rules.soloMethods?.includes(m.method));
  if (solo?.kind === "request") {
    return { kind: "refused", title: "Batch refused", reason: `${solo.method} must not be part of a JSON-RPC batch; send it on its own` };
  }
  return { kind: "batch", messages };
}

/** An error in the endpoint's style: `standard` is JSON-RPC's name for the code ("Invalid Request"). */
export function framedError(style: FramingRules["detail"], id: JsonRpcErrorId, code: number, standard: string, detail: string, extra?: Record<string, unknown>): ErrorObject {
  if (style === "data") return jsonRpcError(id, code, standard, { reason: detail, ...extra });
  return jsonRpcError(id, code, detail, extra);
}

export const invalidRequest = (rules: FramingRules, id: JsonRpcErrorId, reason: string) => framedError(rules.detail, id, JSONRPC.INVALID_REQUEST, "Invalid Request", reason);

/** The -32600 for a refused body; MCP's message names what was refused before why. */
export function refusedBody(rules: FramingRules, body: Extract<Body, { kind: "refused" }>): ErrorObject {
  return invalidRequest(rules, null, rules.detail === "message" ? `${body.title}: ${body.reason}` : body.reason);
}

export type ReadBody = { ok: true; value: unknown } | { ok: false; tooLarge: boolean; error: ErrorObject };

/** The bounded JSON reader with JSON-RPC errors: -32700 for malformed JSON, -32600 naming the limit otherwise. */
export function readRpcJson(raw: string, limits: JsonLimits, rules: FramingRules): ReadBody {
  const read = readBoundedJson(raw, limits);
  if (read.ok) return read;
  if (read.reason === "malformed") {
    return { ok: false, tooLarge: false, error: framedError(rules.detail, null, JSONRPC.PARSE_ERROR, "Parse error", "The request body is not valid JSON") };
  }
  // Over a limit: refused before parsing, naming the limit (nothing deeper ever reaches zod).
  return { ok: false, tooLarge: read.reason === "too_large", error: framedError(rules.detail, null, JSONRPC.INVALID_REQUEST, "Invalid Request", read.message, limitDetails(read)) };
}
