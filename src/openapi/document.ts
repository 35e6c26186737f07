import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Config } from "../env";
import { components } from "./components";
import { extraPaths } from "./extra-paths";

const API_VERSION = "1.0.0";
const METHODS = new Set(["get", "put", "post", "delete", "patch"]);

/** `getV1WorkflowsWorkflowIdVersionsVersion`: stable, unique, readable in generated clients. */
const operationIdOf = (method: string, path: string) =>
  `${method}${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_: string, ch = "") => ch.toUpperCase())}`;

type Paths = Record<string, Record<string, Record<string, unknown>>>;

/**
 * The OpenAPI 3.1 document: the REST routes as the app registered them (request and response
 * schemas from their zod schemas), the shared components, and the non-REST extra paths.
 */
export function buildOpenApiDocument(app: OpenAPIHono<any, any, any>, config: Config, requestOrigin: string) {
  const generated = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "", version: API_VERSION } });
  const paths: Paths = {};
  for (const [rawPath, item] of Object.entries({ ...(generated.paths as Paths), ...extraPaths } as Paths)) {
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      (paths[path] ??= {})[method] = { operationId: operationIdOf(method, path), ...operation };
    }
  }
  const shared = components();
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
    components: { ...shared, schemas: { ...generated.components?.schemas, ...shared.schemas } },
  };
}
