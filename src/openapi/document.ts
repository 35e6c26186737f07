import type { Config } from "../env";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import { components, ERROR_ENVELOPE_REF, errorResponseRef, rateLimitHeaderRefs } from "./components";
import { pathParameters, queryParameters, requestSchema } from "./json-schema";
import { otherOperations, v1Operations, type Operation } from "./operations";

const API_VERSION = "1.0.0";

/** What an operation can fail with, from its shape, plus the ones its table row names. */
function errorCodesOf(op: Operation): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (op.body || op.query) codes.add("VALIDATION_ERROR");
  if (op.auth !== false) codes.add("UNAUTHORIZED");
  if (op.body) codes.add("PAYLOAD_TOO_LARGE");
  if (op.path.includes("{")) codes.add("NOT_FOUND");
  if (op.rateLimited !== false) codes.add("RATE_LIMITED");
  for (const code of op.errors ?? []) codes.add(code);
  codes.add("INTERNAL_ERROR");
  return [...codes];
}

/** Codes sharing a status (503) are merged into one response that still names each code. */
function errorResponses(op: Operation) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(op)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      codes.length === 1
        ? { $ref: errorResponseRef(codes[0]!) }
        : {
            description: codes.join(" or "),
            content: { "application/json": { schema: { $ref: ERROR_ENVELOPE_REF } } },
          },
    ]),
  );
}

function successResponse(op: Operation) {
  const headers = op.rateLimited === false ? undefined : rateLimitHeaderRefs();
  if (op.rawSuccess) {
    return { description: op.rawSuccess.description, headers, content: { [op.rawSuccess.contentType]: { schema: {} } } };
  }
  const envelope = op.paginated ? "#/components/schemas/PageEnvelope" : "#/components/schemas/SuccessEnvelope";
  return { description: op.summary, headers, content: { "application/json": { schema: { $ref: envelope } } } };
}

function security(op: Operation) {
  if (op.auth === false) return [];
  if (op.auth === "optional") return [{ bearerAuth: [] }, {}];
  return undefined; // the document-wide default
}

function operationObject(op: Operation) {
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string = "") => ch.toUpperCase())}`,
    summary: op.summary,
    description: op.description,
    tags: [op.tag],
    security: security(op),
    parameters: [...pathParameters(op.path), ...(op.query ? queryParameters(op.query) : [])],
    requestBody: op.body
      ? { required: true, content: { "application/json": { schema: requestSchema(op.body) } } }
      : undefined,
    responses: { [String(op.status)]: successResponse(op), ...errorResponses(op) },
  };
}

/** The OpenAPI 3.1 document, built fresh from the route table and the routes' own zod schemas. */
export function buildOpenApiDocument(config: Config, requestOrigin: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...v1Operations(config), ...otherOperations]) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hydra Edge API",
      version: API_VERSION,
      description:
        "Workflow platform REST API (/v1), agent runtime (/rpc, /events) and MCP endpoints. Every REST response uses the envelope `{success, data}` or `{success:false, error:{code,message,details}}`.",
    },
    servers: [{ url: config.PUBLIC_BASE_URL ?? requestOrigin }],
    security: [{ bearerAuth: [] }],
    paths,
    components: components(),
  };
}
