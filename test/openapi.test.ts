import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { dashboardRoutes } from "../src/dashboard/routes";
import { ERROR_STATUS } from "../src/errors";
import { ACTIONS } from "../src/manifest/schema";
import { workflowBody } from "./helpers/fixtures";
import { api } from "./helpers/http";

const METHODS = ["get", "post", "put", "patch", "delete"];

/** `METHOD /path` of every /v1 operation the app really registers, in OpenAPI path form. */
function registeredV1Operations(): Set<string> {
  const operations = new Set<string>();
  for (const route of createApp().routes) {
    if (route.method === "ALL" || !METHODS.includes(route.method.toLowerCase())) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\/+$/, "") || "/";
    if (path === "/v1" || path.startsWith("/v1/")) operations.add(`${route.method.toUpperCase()} ${path}`);
  }
  return operations;
}

/**
 * Registered operations outside /v1 that the document leaves out on purpose, each with why. The
 * OAuth endpoints' contract is the OAuth RFCs (RFC 8414/9728 discovery, RFC 7591 registration,
 * OAuth 2.1 token and authorize with form bodies, HTML consent pages, OAuth error bodies rather
 * than the API envelope), served by @cloudflare/workers-oauth-provider; clients find them through
 * discovery, not through this document. The document describes itself only by being served.
 */
const UNDOCUMENTED: Record<string, string> = {
  "GET /openapi.json": "the document itself",
  "GET /.well-known/oauth-authorization-server": "OAuth: RFC 8414 metadata",
  "GET /.well-known/oauth-protected-resource": "OAuth: RFC 9728 metadata",
  "GET /.well-known/oauth-protected-resource/mcp/{deploymentId}": "OAuth: RFC 9728 metadata of one deployment",
  "POST /register": "OAuth: RFC 7591 dynamic client registration",
  "POST /token": "OAuth 2.1 token endpoint (form body)",
  "GET /authorize": "OAuth 2.1 authorization: HTML consent page",
  "POST /authorize": "OAuth 2.1 authorization: consent form",
  "GET /authorize/callback": "OAuth: return from the hosted login",
};

/** `METHOD /path` of every operation outside /v1 the app registers. */
function registeredOtherOperations(): Set<string> {
  const operations = new Set<string>();
  const app = createApp();
  // The dashboard's HTML pages are not API operations (they are listed in docs/dashboard.md).
  const pages = new Set(dashboardRoutes(app).routes.map((r) => `${r.method} ${r.path}`));
  for (const route of app.routes) {
    if (route.method === "ALL" || !METHODS.includes(route.method.toLowerCase())) continue;
    if (pages.has(`${route.method} ${route.path}`)) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\/+$/, "") || "/";
    if (path === "*" || path.endsWith("/*") || path === "/v1" || path.startsWith("/v1/")) continue;
    operations.add(`${route.method.toUpperCase()} ${path}`);
  }
  return operations;
}

function documentedOperations(doc: any, prefix: string): Set<string> {
  const operations = new Set<string>();
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) continue;
    for (const method of Object.keys(item)) if (METHODS.includes(method)) operations.add(`${method.toUpperCase()} ${path}`);
  }
  return operations;
}

async function fetchDocument() {
  const res = await api("GET", "/openapi.json");
  expect(res.status).toBe(200);
  return res.body;
}

describe("GET /openapi.json", () => {
  it("serves an OpenAPI 3.1 document without auth or rate limiting", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
    expect(res.body).toMatchObject({
      openapi: "3.1.0",
      info: { title: "Hydra Edge API" },
      servers: [{ url: "https://hydra.test" }],
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    });
  });

  it("documents exactly the /v1 operations the app registers", async () => {
    const doc = await fetchDocument();
    const registered = registeredV1Operations();
    const documented = documentedOperations(doc, "/v1");
    expect(registered.size).toBeGreaterThan(30);
    expect([...registered].filter((op) => !documented.has(op))).toEqual([]);
    expect([...documented].filter((op) => !registered.has(op))).toEqual([]);
  });

  it("documents every operation outside /v1 except the listed OAuth endpoints", async () => {
    const doc = await fetchDocument();
    const documented = documentedOperations(doc, "");
    const registered = registeredOtherOperations();
    expect([...registered].filter((op) => !documented.has(op) && !(op in UNDOCUMENTED))).toEqual([]);
    // An exclusion stays honest: it names a registered route the document really leaves out.
    for (const op of Object.keys(UNDOCUMENTED)) {
      expect(registered.has(op), `${op} is registered`).toBe(true);
      expect(documented.has(op), `${op} is not documented`).toBe(false);
    }
  });

  it("lists the runtime, MCP and health routes too", async () => {
    const doc = await fetchDocument();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/health", "/rpc", "/events", "/runs/{run_id}/events", "/mcp/{deploymentId}", "/v1/billing/webhook"]),
    );
    expect(doc.paths["/rpc"].post.responses["200"].content).toHaveProperty("application/json");
    expect(doc.paths["/events"].get.responses["200"].content).toHaveProperty("text/event-stream");
    expect(doc.paths["/runs/{run_id}/events"].get.parameters).toEqual([{ name: "run_id", in: "path", required: true, schema: { type: "string" } }]);
    expect(doc.paths["/health"].get.security).toEqual([]);
    expect(doc.paths["/v1/billing/webhook"].post.security).toEqual([]);
    expect(doc.paths["/v1/billing/webhook"].post.responses["200"].headers).toBeUndefined();
    expect(doc.paths["/mcp/{deploymentId}"].post.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(doc.paths["/health"].get.responses["503"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/HealthReport" });
  });

  it("documents the MCP GET and DELETE as what they answer: 405 with Allow: POST", async () => {
    const doc = await fetchDocument();
    const mcp = doc.paths["/mcp/{deploymentId}"];
    for (const method of ["get", "delete"] as const) {
      expect(Object.keys(mcp[method].responses)).toEqual(["405"]);
      expect(mcp[method].responses["405"]).toEqual({ $ref: "#/components/responses/METHOD_NOT_ALLOWED" });
      const res = await api(method.toUpperCase(), "/mcp/dep_whatever");
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
      expect(res.body.error.code).toBe("METHOD_NOT_ALLOWED");
    }
  });

  it("documents request bodies and success responses of every /v1 operation", async () => {
    const doc = await fetchDocument();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const success = Object.entries<any>(op.responses).find(([status]) => Number(status) < 300);
        expect(success, `${method} ${path}`).toBeDefined();
        const schema = success![1].content["application/json"].schema;
        expect(schema.required, `${method} ${path}`).toEqual(expect.arrayContaining(["success", "data"]));
        expect(schema.properties.data, `${method} ${path} documents its data`).not.toEqual({});
      }
    }
    expect(doc.paths["/v1/deployments"].post.requestBody.content["application/json"].schema.required).toEqual(["name", "workflowIds"]);
    expect(doc.paths["/v1/billing/checkout"].post.requestBody.content["application/json"].schema.properties.priceId.enum).toContain("pro_monthly");
  });

  it("keeps the one validation envelope and issue paths for bodies, queries and path parameters", async () => {
    const { newUser } = await import("./helpers/auth");
    const user = await newUser("openapi-validation");
    const body = await api("POST", "/v1/workflows", { token: user.token, body: { name: "" } });
    expect(body.status).toBe(400);
    expect(body.body.error.code).toBe("VALIDATION_ERROR");
    expect(body.body.error.details.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(["name", "manifest"]));
    const query = await api("GET", "/v1/workflows?limit=0", { token: user.token });
    expect(query.status).toBe(400);
    expect(query.body.error.details.issues[0].path).toBe("limit");
    const param = await api("GET", "/v1/deployments/dep_x/prompts/vim", { token: user.token });
    expect(param.status).toBe(400);
    expect(param.body).toMatchObject({ success: false, error: { code: "VALIDATION_ERROR", details: { issues: [{ path: "adapter" }] } } });
  });

  it("describes the workflow create body from its zod schema", async () => {
    const doc = await fetchDocument();
    const create = doc.paths["/v1/workflows"].post;
    expect(create.tags).toEqual(["Workflows"]);
    expect(Object.keys(create.responses)).toContain("201");
    const schema = create.requestBody.content["application/json"].schema;
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(expect.arrayContaining(["name", "manifest"]));
    const action = schema.properties.manifest.properties.steps.items.properties.action;
    expect(action.enum).toHaveLength(32);
    expect(action.enum).toEqual([...ACTIONS]);

    // The project's own fixture is a valid body by the documented schema; a body without a manifest is not.
    expect(new Validator(schema, "2020-12").validate(workflowBody()).valid).toBe(true);
    const { manifest: _omitted, ...withoutManifest } = workflowBody();
    expect(new Validator(schema, "2020-12").validate(withoutManifest).valid).toBe(false);
  });

  it("turns query schemas into parameters and path params into {param}", async () => {
    const doc = await fetchDocument();
    const list = doc.paths["/v1/workflows"].get;
    expect(list.parameters).toEqual(
      expect.arrayContaining([
        { name: "limit", in: "query", required: false, schema: { default: 20, type: "integer", minimum: 1, maximum: 100 } },
        { name: "visibility", in: "query", required: false, schema: { type: "string", enum: ["public", "private"] } },
      ]),
    );
    expect(list.responses["200"].content["application/json"].schema).toMatchObject({
      required: ["success", "data", "pagination"],
      properties: {
        data: { type: "array", items: { $ref: "#/components/schemas/WorkflowSummary" } },
        pagination: { $ref: "#/components/schemas/Pagination" },
      },
    });
    expect(doc.components.schemas.WorkflowSummary.required).toEqual(expect.arrayContaining(["workflowId", "name", "currentVersion", "stats"]));
    const search = doc.paths["/v1/marketplace/search"].get;
    expect(search.parameters.find((p: any) => p.name === "q")).toMatchObject({ in: "query", required: true });
    const prompt = doc.paths["/v1/deployments/{deploymentId}/prompts/{adapter}"].get;
    expect(prompt.parameters.map((p: any) => p.name)).toEqual(["deploymentId", "adapter"]);
  });

  it("error responses use the one envelope with every code from errors.ts, and /v1 responses carry X-RateLimit-*", async () => {
    const doc = await fetchDocument();
    const { schemas, responses, headers } = doc.components;
    expect(schemas.ErrorCode.enum).toEqual(Object.keys(ERROR_STATUS));
    expect(schemas.ErrorEnvelope).toMatchObject({
      required: ["success", "error"],
      properties: {
        success: { const: false },
        error: { required: ["code", "message", "details"], properties: { code: { $ref: "#/components/schemas/ErrorCode" } } },
      },
    });
    expect(Object.keys(responses)).toEqual(Object.keys(ERROR_STATUS));
    for (const response of Object.values<any>(responses)) {
      expect(response.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ErrorEnvelope" });
    }
    expect(Object.keys(headers)).toEqual(expect.arrayContaining(["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"]));

    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (Number(status) < 400) continue;
          // A degraded health check answers 503 with the health report itself, not an error.
          if (path === "/health" && status === "503") continue;
          const resolved = response.$ref ? responses[response.$ref.split("/").pop()] : response;
          expect(resolved, `${method} ${path} ${status}`).toBeDefined();
          expect(resolved.content["application/json"].schema, `${method} ${path} ${status}`).toEqual({ $ref: "#/components/schemas/ErrorEnvelope" });
        }
      }
    }

    const create = doc.paths["/v1/workflows"].post;
    expect(create.responses["400"]).toEqual({ $ref: "#/components/responses/VALIDATION_ERROR" });
    expect(create.responses["401"]).toEqual({ $ref: "#/components/responses/UNAUTHORIZED" });
    expect(create.responses["402"]).toEqual({ $ref: "#/components/responses/PLAN_LIMIT_EXCEEDED" });
    expect(create.responses["429"]).toEqual({ $ref: "#/components/responses/RATE_LIMITED" });
    expect(create.responses["201"].headers).toEqual({
      "X-RateLimit-Limit": { $ref: "#/components/headers/X-RateLimit-Limit" },
      "X-RateLimit-Remaining": { $ref: "#/components/headers/X-RateLimit-Remaining" },
      "X-RateLimit-Reset": { $ref: "#/components/headers/X-RateLimit-Reset" },
    });
    expect(responses.RATE_LIMITED.headers).toHaveProperty("Retry-After");
  });

  it("gives every operation a unique operationId", async () => {
    const doc = await fetchDocument();
    const ids = Object.values<any>(doc.paths).flatMap((item) => Object.values<any>(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/v1/workflows/{workflowId}/versions/{version}"].get.operationId).toBe("getV1WorkflowsWorkflowIdVersionsVersion");
  });
});
