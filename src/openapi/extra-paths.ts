import { errorResponses } from "./route";

/**
 * Paths that are not REST routes of the generated document: their bodies follow their own
 * protocols (JSON-RPC 2.0, server-sent events, MCP), so they are described here, briefly.
 */
const RUNTIME = ["Agent runtime"];
const MCP = ["MCP"];

const rawSuccess = (contentType: string, description: string) => ({ description, content: { [contentType]: { schema: {} } } });
const pathParameter = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

const notAllowed = (summary: string) => ({
  tags: MCP,
  summary,
  description: "Answers 405 METHOD_NOT_ALLOWED with `Allow: POST`: the server keeps no stream per session and ends no session on request.",
  security: [{ bearerAuth: [] }, {}],
  parameters: [pathParameter("deploymentId")],
  responses: errorResponses(["METHOD_NOT_ALLOWED"]),
});

export const extraPaths = {
  "/rpc": {
    post: {
      tags: RUNTIME,
      summary: "JSON-RPC 2.0 control of agent runs (hydra.execute, hydra.status, hydra.approve, hydra.cancel, hydra.kill, hydra.resume, hydra.health, …)",
      description: "JSON-RPC errors travel in a 200 response; a body of notifications only gets an empty 204.",
      responses: {
        200: rawSuccess("application/json", "JSON-RPC 2.0 response (or batch)"),
        204: { description: "The body held only notifications" },
        ...errorResponses(["UNAUTHORIZED", "PAYLOAD_TOO_LARGE", "RATE_LIMITED", "INTERNAL_ERROR"]),
      },
    },
  },
  "/events": {
    get: {
      tags: RUNTIME,
      summary: "Server-sent events of all your runs",
      responses: {
        200: rawSuccess("text/event-stream", "SSE stream"),
        ...errorResponses(["UNAUTHORIZED", "RATE_LIMITED", "INTERNAL_ERROR"]),
      },
    },
  },
  "/runs/{run_id}/events": {
    get: {
      tags: RUNTIME,
      summary: "Server-sent events of one run (replays from Last-Event-ID)",
      parameters: [pathParameter("run_id")],
      responses: {
        200: rawSuccess("text/event-stream", "SSE stream"),
        ...errorResponses(["UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED", "INTERNAL_ERROR"]),
      },
    },
  },
  "/mcp/{deploymentId}": {
    post: {
      tags: MCP,
      summary: "MCP Streamable HTTP endpoint of a deployment",
      description:
        "JSON-RPC 2.0 per the MCP specification. The owner's Bearer token (or nothing, when the deployment allows anonymous access) authenticates.",
      security: [{ bearerAuth: [] }, {}],
      parameters: [pathParameter("deploymentId")],
      responses: {
        200: rawSuccess("application/json", "JSON-RPC 2.0 response"),
        202: { description: "The body held only notifications or responses" },
        ...errorResponses([
          "VALIDATION_ERROR",
          "UNAUTHORIZED",
          "PLAN_LIMIT_EXCEEDED",
          "FORBIDDEN",
          "NOT_FOUND",
          "PAYLOAD_TOO_LARGE",
          "UNSUPPORTED_MEDIA_TYPE",
          "LOCKED",
          "INTERNAL_ERROR",
        ]),
      },
    },
    get: notAllowed("Not supported: no server-initiated stream"),
    delete: notAllowed("Not supported: sessions end on their own"),
  },
};
