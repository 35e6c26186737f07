import { ERRORS, type ErrorCode } from "../errors";

const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export const ERROR_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope";
export const errorResponseRef = (code: ErrorCode) => `#/components/responses/${code}`;

const RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"] as const;

/** Header refs every rate-limited response carries, errors included. */
export function rateLimitHeaderRefs(): Record<string, { $ref: string }> {
  return Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

function errorResponses() {
  return Object.fromEntries(
    ERROR_CODES.map((code) => [
      code,
      {
        description: `${code} (${ERRORS[code].status}): ${ERRORS[code].description}`,
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
  return { success: false, error: { code, message: ERRORS[code].description, details: {} } };
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
    },
    responses: errorResponses(),
  };
}
