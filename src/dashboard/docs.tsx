import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { buildOpenApiDocument } from "../openapi/document";
import { DataTable } from "./components";
import { render } from "./http";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string } }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const anchor = (method: string, path: string) => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");

/**
 * The API reference, rendered on the server from the same document `GET /openapi.json`
 * serves: no script, no CDN, works offline.
 */
// Built from the app it is mounted on, like GET /openapi.json.
export const docsScreen = (app: OpenAPIHono<AppEnv, any, any>) => new Hono<AppEnv>().get("/docs", (c) => {
  const doc = buildOpenApiDocument(app, c.get("config"), new URL(c.req.url).origin);
  const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => ({ path, method: m, op: (item as Record<string, Operation>)[m]! })),
  );
  return render(
    c,
    "API reference",
    <>
      <h1>{doc.info.title}</h1>
      <p class="sub">
        Version {doc.info.version}. {doc.info.description} Machine-readable: <a href="/openapi.json">/openapi.json</a>.
      </p>
      <nav aria-label="Operations">
        <details>
          <summary>All {ops.length} operations</summary>
          <ul>
            {ops.map(({ path, method }) => (
              <li>
                <a href={`#${anchor(method, path)}`}>
                  <code>
                    {method.toUpperCase()} {path}
                  </code>
                </a>
              </li>
            ))}
          </ul>
        </details>
      </nav>
      {ops.map(({ path, method, op }) => (
        <section class="card" id={anchor(method, path)} aria-labelledby={`${anchor(method, path)}-h`}>
          <h2 id={`${anchor(method, path)}-h`}>
            <code>
              {method.toUpperCase()} {path}
            </code>
          </h2>
          {op.summary ? <p>{op.summary}</p> : null}
          {op.description && op.description !== op.summary ? <p class="muted">{op.description}</p> : null}
          {op.parameters && op.parameters.length > 0 ? (
            <DataTable head={["Parameter", "In", "Type", "Description"]}>
              {op.parameters.map((p) => (
                <tr>
                  <td>
                    <code>{p.name}</code>
                    {p.required ? " (required)" : ""}
                  </td>
                  <td>{p.in}</td>
                  <td>{p.schema?.type ?? ""}</td>
                  <td>{p.description ?? ""}</td>
                </tr>
              ))}
            </DataTable>
          ) : null}
          {op.requestBody?.content?.["application/json"] ? (
            <details>
              <summary>Request body (JSON schema)</summary>
              <pre>{JSON.stringify(op.requestBody.content["application/json"].schema, null, 2)}</pre>
            </details>
          ) : null}
          {op.responses ? (
            <p class="muted">
              Responses:{" "}
              {Object.entries(op.responses)
                .map(([status, r]) => `${status} ${r.description ?? ""}`.trim())
                .join(" · ")}
            </p>
          ) : null}
        </section>
      ))}
    </>,
  );
});
