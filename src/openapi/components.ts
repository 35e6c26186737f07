import { ERROR_STATUS, type ErrorCode } from "../errors";

const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const ERROR_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope";
export const errorResponseRef = (code: ErrorCode) => `#/components/responses/${code}`;

const RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"] as const;

/** Header refs every rate-limited response carries, errors included. */
export function rateLimitHeaderRefs(): Record<string, { $ref: string }> {
  return Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  VALIDATION_ERROR: "The request is invalid; details.issues lists each field path and message",
  UNAUTHORIZED: "Missing or invalid credentials (comes with WWW-Authenticate: Bearer)",
  PLAN_LIMIT_EXCEEDED: "Your plan's limit is reached; details name the limit and an upgrade URL",
  FORBIDDEN: "Authenticated, but not allowed to do this",
  NOT_FOUND: "No such resource (or it is someone else's private one)",
  METHOD_NOT_ALLOWED: "The path exists but not with this method; Allow lists the methods",
  CONFLICT: "The request conflicts with the current state",
  PAYLOAD_TOO_LARGE: "The request body exceeds the size limit",
  UNSUPPORTED_MEDIA_TYPE: "The body must be application/json",
  LOCKED: "The resource is inactive",
  RATE_LIMITED: "Too many requests; Retry-After says when to try again",
  INTERNAL_ERROR: "An unexpected error; nothing internal is leaked",
  BILLING_NOT_CONFIGURED: "Billing (Stripe) is not configured on this server",
  SERVICE_UNAVAILABLE: "A dependency is unavailable; try again later",
};

function errorResponses() {
  return Object.fromEntries(
    ERROR_CODES.map((code) => [
      code,
      {
        description: `${code} (${ERROR_STATUS[code]}): ${ERROR_DESCRIPTIONS[code]}`,
        headers: {
          ...rateLimitHeaderRefs(),
          ...(code === "RATE_LIMITED" ? { "Retry-After": { $ref: "#/components/headers/Retry-After" } } : {}),
        },
        content: { "application/json": { schema: { $ref: ERROR_ENVELOPE_REF }, example: exampleError(code) } },
      },
    ]),
  );
}

function exampleError(code: ErrorCode) {
  return { success: false, error: { code, message: ERROR_DESCRIPTIONS[code], details: {} } };
}

const headerSchema = (description: string) => ({ description, schema: { type: "integer" } });

export function components() {
  return {
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "An OIDC (or dev) JWT, or an API key `hk_…` from POST /v1/api-keys",
      },
    },
    headers: {
      "X-RateLimit-Limit": headerSchema("Requests allowed in the current window"),
      "X-RateLimit-Remaining": headerSchema("Requests left in the current window"),
      "X-RateLimit-Reset": headerSchema("Unix time (seconds) when the window resets"),
      "Retry-After": headerSchema("Seconds to wait before retrying"),
    },
    schemas: {
      ErrorCode: { type: "string", enum: ERROR_CODES },
      ErrorEnvelope: {
        type: "object",
        required: ["success", "error"],
        properties: {
          success: { const: false },
          error: {
            type: "object",
            required: ["code", "message", "details"],
            properties: {
              code: { $ref: "#/components/schemas/ErrorCode" },
              message: { type: "string" },
              details: { type: "object", additionalProperties: true },
            },
          },
        },
      },
      SuccessEnvelope: {
        type: "object",
        required: ["success", "data"],
        properties: { success: { const: true }, data: {} },
      },
      Pagination: {
        type: "object",
        required: ["nextCursor", "hasMore", "count"],
        properties: {
          nextCursor: { type: ["string", "null"], description: "Opaque; pass as `cursor` for the next page" },
          hasMore: { type: "boolean" },
          count: { type: "integer" },
        },
      },
      PageEnvelope: {
        type: "object",
        required: ["success", "data", "pagination"],
        properties: {
          success: { const: true },
          data: { type: "array", items: {} },
          pagination: { $ref: "#/components/schemas/Pagination" },
        },
      },
    },
    responses: errorResponses(),
  };
}
