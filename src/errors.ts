import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountDeleted, isAccountDeletedError } from "./users/tombstone";

/**
 * The one error catalogue: every code with its one HTTP status and what it means to a client.
 * The OpenAPI error responses and the README's error table (`npm run docs:errors`) come from it.
 */
export const ERRORS = {
  VALIDATION_ERROR: { status: 400, description: "The request is invalid; `details.issues` lists every offending field path (dot-separated) and message" },
  UNAUTHORIZED: { status: 401, description: "Missing or invalid credentials (comes with `WWW-Authenticate: Bearer`)" },
  PLAN_LIMIT_EXCEEDED: { status: 402, description: "Your plan's limit is reached; `details {resource, limit, current, plan, upgradeUrl?}`" },
  FORBIDDEN: { status: 403, description: "Visible but not yours to change (e.g. someone else's public workflow)" },
  NOT_FOUND: { status: 404, description: "No such resource; also anything private that is not yours (ids never leak)" },
  METHOD_NOT_ALLOWED: { status: 405, description: "A known path with another method; the `Allow` header and `details.allowed` list the methods" },
  CONFLICT: { status: 409, description: "The request conflicts with the current state (e.g. a duplicate)" },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The body exceeds the size limit (256 KB by default, `MAX_BODY_BYTES`)" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body must be application/json" },
  LOCKED: { status: 423, description: "The resource is inactive (e.g. a deactivated deployment)" },
  RATE_LIMITED: { status: 429, description: "Too many requests; `Retry-After` says when to try again" },
  INTERNAL_ERROR: { status: 500, description: "An unexpected error; a generic message, details are logged with the request id, never returned" },
  BILLING_NOT_CONFIGURED: { status: 503, description: "Billing (Stripe) is not configured on this server" },
  SERVICE_UNAVAILABLE: { status: 503, description: "A dependency is unavailable; try again later" },
} as const satisfies Record<string, { status: ContentfulStatusCode; description: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Each code's HTTP status, from the catalogue. */
export const ERROR_STATUS = Object.fromEntries(Object.entries(ERRORS).map(([code, { status }]) => [code, status])) as {
  [K in ErrorCode]: (typeof ERRORS)[K]["status"];
};

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string, id?: string) =>
  new ApiError("NOT_FOUND", id ? `${what} '${id}' was not found` : `${what} was not found`);

export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
  return { success: false as const, error: { code, message, details } };
}

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}

/** Maps anything thrown in a handler to the one envelope; internals never reach the client. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isAccountDeletedError(err)) return accountDeleted();
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ApiError("PAYLOAD_TOO_LARGE", "Request body is too large");
    if (err.status === 401) return new ApiError("UNAUTHORIZED", "Missing or invalid credentials");
    if (err.status === 404) return new ApiError("NOT_FOUND", "Resource not found");
    if (err.status < 500) return new ApiError("VALIDATION_ERROR", "Invalid request");
  }
  return new ApiError("INTERNAL_ERROR", "An unexpected error occurred");
}
