import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountDeleted, isAccountDeletedError } from "./users/tombstone";

/** The seed's error codes plus our documented additions, each with its one HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  PLAN_LIMIT_EXCEEDED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  BILLING_NOT_CONFIGURED: 503,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

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
