import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { devToken, newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, initializeBody } from "./helpers/deployments";
import { workflowBody } from "./helpers/fixtures";
import { exports } from "cloudflare:workers";
import { api, request, type ApiResponse } from "./helpers/http";
import { rpc } from "./helpers/runtime";
import { createWorkflow } from "./helpers/workflows";

/**
 * Who may call what, for every route the app registers (`createApp().routes`), keyed by
 * "METHOD path" exactly as Hono lists it. A route without an entry fails the test, so every new
 * route needs a line here. Kinds:
 * - `public`: anyone, no credential (anonymous gets `status`).
 * - `signed`: no user credential; the request itself is signed (an unsigned one gets `unsigned`).
 * - `self`: acts on the caller's own account or collection; there is no "someone else's" to reach.
 * - `owned`: names one resource by id in the path; another user gets `other` (404: ids never leak).
 * - `middleware`: a `use(...)` registration; the routes it guards have their own entries.
 * - `page`: a dashboard page or asset: cookie sessions only (test/dashboard.test.ts), so a caller
 *   without one gets `anonymous` (303 to the sign-in page for signed-in pages) whatever Bearer
 *   credential it sends.
 * Every kind but `public`, `signed` and `middleware` answers anonymous callers, revoked API keys
 * and expired tokens with 401 and a `WWW-Authenticate: Bearer` challenge (on /mcp it also names
 * the deployment's OAuth metadata, `resource_metadata="…"`). `body` is a valid body for the
 * route, so a refusal is about who calls, not about what was sent.
 */
type Rule =
  | { kind: "public"; status: number }
  | { kind: "signed"; unsigned: number }
  | { kind: "self"; body?: unknown; stream?: boolean; headers?: Record<string, string> }
  | { kind: "owned"; body?: unknown; other: number; stream?: boolean; headers?: Record<string, string>; check?: (res: ApiResponse) => void }
  | { kind: "middleware" }
  | { kind: "page"; anonymous: number };

const wfBody = () => workflowBody({ name: "Matrix Workflow" });
/** Another user asking for the owner's run gets the same answer as for a missing run. */
const runNotFound = (res: ApiResponse) => expect(res.body.error, JSON.stringify(res.body)).toMatchObject({ code: -32602 });

const RULES: Record<string, Rule> = {
  // Outside /v1
  "ALL /*": { kind: "middleware" },
  "GET /health": { kind: "public", status: 200 },
  "GET /health/live": { kind: "public", status: 200 },
  "GET /openapi.json": { kind: "public", status: 200 },
  "POST /v1/billing/webhook": { kind: "signed", unsigned: 400 },
  // MCP: the owner's credential unless the deployment allows anonymous use (this one does not).
  "ALL /mcp/:deploymentId": { kind: "owned", headers: MCP_HEADERS, body: initializeBody(), other: 404 },
  "ALL /mcp/:deploymentId/": { kind: "owned", headers: MCP_HEADERS, body: initializeBody(), other: 404 },
  // OAuth sign-in for IDEs: discovery, registration and tokens are public by design (OAuth's own
  // errors); the authorization page signs the user in itself (test/mcp-oauth.test.ts).
  "GET /.well-known/oauth-authorization-server": { kind: "public", status: 200 },
  "OPTIONS /.well-known/oauth-authorization-server": { kind: "public", status: 204 },
  "GET /.well-known/oauth-protected-resource/mcp/:deploymentId": { kind: "public", status: 200 },
  "GET /.well-known/oauth-protected-resource": { kind: "public", status: 404 },
  "POST /register": { kind: "public", status: 400 },
  "OPTIONS /register": { kind: "public", status: 204 },
  "POST /token": { kind: "public", status: 400 },
  "OPTIONS /token": { kind: "public", status: 204 },
  "GET /authorize": { kind: "public", status: 400 },
  "POST /authorize": { kind: "public", status: 400 },
  "GET /authorize/callback": { kind: "public", status: 404 },
  // Runtime: JSON-RPC answers another user's run id like a missing one (HTTP 200, JSON-RPC error).
  "ALL /rpc": { kind: "middleware" },
  "ALL /events": { kind: "middleware" },
  "ALL /runs/*": { kind: "middleware" },
  "POST /rpc": { kind: "owned", body: { jsonrpc: "2.0", id: 1, method: "hydra.status", params: { run_id: ":run_id" } }, other: 200, check: runNotFound },
  "GET /events": { kind: "self", stream: true },
  "GET /runs/:run_id/events": { kind: "owned", other: 404, stream: true },
  // Dashboard (src/dashboard/): pages and assets, cookie sessions only.
  "ALL /runs/:id/events": { kind: "middleware" },
  ...Object.fromEntries(
    ["/assets/dashboard.css", "/assets/dashboard.js", "/assets/favicon.svg", "/favicon.ico", "/sign-in", "/docs"].map((p) => [`GET ${p}`, { kind: "page", anonymous: 200 }]),
  ),
  "POST /sign-in": { kind: "page", anonymous: 200 },
  "GET /sign-in/oidc": { kind: "page", anonymous: 303 },
  "GET /sign-in/callback": { kind: "page", anonymous: 303 },
  "POST /sign-out": { kind: "page", anonymous: 303 },
  ...Object.fromEntries(
    [
      "GET /", "GET /workflows", "GET /workflows/new", "POST /workflows/new", "GET /workflows/:id", "GET /workflows/:id/edit",
      "POST /workflows/:id/edit", "POST /workflows/:id/visibility", "POST /workflows/:id/delete", "POST /workflows/:id/run",
      "GET /marketplace", "GET /marketplace/:id", "POST /marketplace/:id/subscribe", "POST /marketplace/:id/unsubscribe",
      "POST /marketplace/:id/fork", "POST /marketplace/:id/rating", "GET /library", "POST /library/:workflowId",
      "GET /deployments", "GET /deployments/new", "POST /deployments/new", "GET /deployments/:id", "POST /deployments/:id/edit",
      "POST /deployments/:id/activate", "POST /deployments/:id/deactivate", "POST /deployments/:id/delete",
      "GET /runs", "POST /runs/new", "GET /runs/:id", "POST /runs/:id/approve", "POST /runs/:id/cancel",
      "GET /api-keys", "POST /api-keys", "POST /api-keys/:id/revoke", "GET /billing", "POST /billing/checkout", "POST /billing/portal",
      "GET /account", "POST /account", "POST /account/delete",
    ].map((key) => [key, { kind: "page", anonymous: 303 }]),
  ),
  // /v1
  "ALL /v1/*": { kind: "middleware" },
  "GET /v1/users/me": { kind: "self" },
  "PATCH /v1/users/me": { kind: "self", body: { displayName: "Someone" } },
  "DELETE /v1/users/me": { kind: "self" },
  "POST /v1/api-keys": { kind: "self", body: { name: "matrix" } },
  "GET /v1/api-keys": { kind: "self" },
  "DELETE /v1/api-keys/:keyId": { kind: "owned", other: 404 },
  "GET /v1/workflows": { kind: "self" },
  "POST /v1/workflows": { kind: "self", body: wfBody() },
  "GET /v1/workflows/:workflowId": { kind: "owned", other: 404 },
  "PUT /v1/workflows/:workflowId": { kind: "owned", body: wfBody(), other: 404 },
  "DELETE /v1/workflows/:workflowId": { kind: "owned", other: 404 },
  "GET /v1/workflows/:workflowId/versions": { kind: "owned", other: 404 },
  "GET /v1/workflows/:workflowId/versions/:version": { kind: "owned", other: 404 },
  "POST /v1/workflows/:workflowId/fork": { kind: "owned", body: {}, other: 404 },
  "GET /v1/workflows/:workflowId/rating": { kind: "owned", other: 404 },
  "PUT /v1/workflows/:workflowId/rating": { kind: "owned", body: { rating: 4 }, other: 404 },
  "DELETE /v1/workflows/:workflowId/rating": { kind: "owned", other: 404 },
  "GET /v1/marketplace": { kind: "self" },
  "GET /v1/marketplace/search": { kind: "self" },
  "GET /v1/marketplace/featured": { kind: "self" },
  "GET /v1/library": { kind: "self" },
  "GET /v1/library/:workflowId": { kind: "owned", other: 404 },
  "POST /v1/library/:workflowId": { kind: "owned", body: {}, other: 404 },
  "PATCH /v1/library/:workflowId": { kind: "owned", body: { autoUpdate: true }, other: 404 },
  "DELETE /v1/library/:workflowId": { kind: "owned", other: 404 },
  "GET /v1/billing/subscription": { kind: "self" },
  "POST /v1/billing/checkout": { kind: "self", body: { priceId: "pro_monthly", successUrl: "https://hydra.test/ok", cancelUrl: "https://hydra.test/no" } },
  "POST /v1/billing/portal": { kind: "self", body: { returnUrl: "https://hydra.test/back" } },
  "GET /v1/deployments": { kind: "self" },
  // Creating a deployment is the caller's own, but naming someone else's private workflow is a 404.
  "POST /v1/deployments": { kind: "owned", body: { name: "Theirs", workflowIds: [":workflowId"] }, other: 404 },
  "GET /v1/deployments/:deploymentId": { kind: "owned", other: 404 },
  "PUT /v1/deployments/:deploymentId": { kind: "owned", body: { name: "Renamed" }, other: 404 },
  "DELETE /v1/deployments/:deploymentId": { kind: "owned", other: 404 },
  "POST /v1/deployments/:deploymentId/adapters": { kind: "owned", body: { adapter: "cursor", enabled: false }, other: 404 },
  "POST /v1/deployments/:deploymentId/activate": { kind: "owned", body: {}, other: 404 },
  "POST /v1/deployments/:deploymentId/deactivate": { kind: "owned", body: {}, other: 404 },
  "GET /v1/deployments/:deploymentId/usage": { kind: "owned", other: 404 },
  "GET /v1/deployments/:deploymentId/prompts/:adapter": { kind: "owned", other: 404 },
};

/** Every route as Hono registers it, once per "METHOD path". */
function registeredRoutes(): string[] {
  return [...new Set(createApp().routes.map((r) => `${r.method} ${r.path}`))];
}

/** The owner's resources, and the credentials of everyone else in the matrix. */
async function cast() {
  const owner = await newUser("owner");
  const other = await newUser("other");
  const wf = await createWorkflow(owner.token, { name: "Owner Private", visibility: "private" });
  const dep = await createDeployment(owner.token, { workflowIds: [wf.workflowId] });
  const key = await api("POST", "/v1/api-keys", { token: owner.token, body: { name: "kept" } });
  const revoked = await api("POST", "/v1/api-keys", { token: owner.token, body: { name: "revoked" } });
  expect((await api("DELETE", `/v1/api-keys/${revoked.body.data.id}`, { token: owner.token })).status).toBe(200);
  const run = await rpc(owner.token, "hydra.run", { intent: "Summarise the repository" });
  const expired = await devToken(owner.sub, { email: owner.email, expiresIn: Math.floor(Date.now() / 1000) - 120 });
  const params: Record<string, string> = {
    workflowId: wf.workflowId,
    deploymentId: dep.deploymentId,
    keyId: key.body.data.id,
    version: "1.0.0",
    adapter: "claude",
    run_id: run.body.result.run_id,
    id: wf.workflowId,
  };
  const denied = { anonymous: undefined, "revoked API key": revoked.body.data.key as string, "expired token": expired };
  return { owner, other, params, denied, secrets: [wf.workflowId, dep.deploymentId, key.body.data.id, params.run_id!] };
}

/** MCP endpoints point IDEs at OAuth sign-in (RFC 9728); everything else sends a plain challenge. */
const challengeFor = (key: string) =>
  key.includes(" /mcp/") ? /^Bearer resource_metadata="https:\/\/hydra\.test\/\.well-known\/oauth-protected-resource\/mcp\/dep_\w+", scope="mcp"/ : /^Bearer$/;

const fixture = (params: Record<string, string>, name: string) => {
  if (!(name in params)) throw new Error(`no fixture for path parameter :${name}; add one to cast()`);
  return params[name]!;
};
/** `/v1/workflows/:workflowId` → the owner's ids; in bodies only whole strings like ":workflowId" are replaced. */
const fill = (path: string, params: Record<string, string>) => path.replace(/:([A-Za-z_]+)/g, (_, name: string) => fixture(params, name));
const fillBody = (body: unknown, params: Record<string, string>) =>
  JSON.parse(JSON.stringify(body).replace(/":([A-Za-z_]+)"/g, (_, name: string) => JSON.stringify(fixture(params, name))));

async function call(key: string, rule: Rule & { body?: unknown; headers?: Record<string, string>; stream?: boolean }, token: string | undefined, params: Record<string, string>) {
  const [method, path] = key.split(" ") as [string, string];
  const body = rule.body === undefined ? undefined : fillBody(rule.body, params);
  return api(method === "ALL" ? "POST" : method, fill(path, params), {
    token,
    body,
    headers: { ...(rule.stream ? { Accept: "text/event-stream" } : {}), ...rule.headers },
  });
}

/** Dashboard routes: status as the browser first sees it (redirects not followed). */
async function callPage(key: string, token: string | undefined, params: Record<string, string>) {
  const [method, path] = key.split(" ") as [string, string];
  const req = request(method, fill(path, params), { token });
  return (await exports.default.fetch(new Request(req, { redirect: "manual" }))).status;
}

describe("authorization matrix", () => {
  it("has an entry for every registered route, and no entry for a route that is gone", () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => !(r in RULES)), "routes without an authorization rule").toEqual([]);
    expect(Object.keys(RULES).filter((r) => !routes.includes(r)), "rules for routes that do not exist").toEqual([]);
  });

  it("anonymous callers, revoked API keys and expired tokens get 401 on every authenticated route; public routes answer anyone", async () => {
    const { params, denied } = await cast();
    const failures: string[] = [];
    for (const [key, rule] of Object.entries(RULES)) {
      if (rule.kind === "middleware") continue;
      if (rule.kind === "page") {
        // Bearer credentials never stand in for a dashboard session.
        for (const token of [undefined, ...Object.values(denied)]) {
          const status = await callPage(key, token, params);
          if (status !== rule.anonymous) failures.push(`${key} without a session: ${status}, want ${rule.anonymous}`);
        }
        continue;
      }
      if (rule.kind === "public" || rule.kind === "signed") {
        const res = await call(key, rule, undefined, params);
        const want = rule.kind === "public" ? rule.status : rule.unsigned;
        if (res.status !== want) failures.push(`${key} anonymous: ${res.status}, want ${want}`);
        continue;
      }
      await Promise.all(
        Object.entries(denied).map(async ([who, token]) => {
          const res = await call(key, rule, token, params);
          if (res.status !== 401) failures.push(`${key} ${who}: ${res.status}, want 401`);
          else if (!challengeFor(key).test(res.headers.get("WWW-Authenticate") ?? "")) failures.push(`${key} ${who}: no Bearer challenge`);
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it("another user gets 404 for the owner's resources and never sees them in their own listings", async () => {
    const { owner, other, params, secrets } = await cast();
    const failures: string[] = [];
    for (const [key, rule] of Object.entries(RULES)) {
      if (rule.kind === "owned") {
        const res = await call(key, rule, other.token, params);
        if (res.status !== rule.other) failures.push(`${key} other user: ${res.status}, want ${rule.other} (${JSON.stringify(res.body)})`);
        rule.check?.(res);
      } else if (rule.kind === "page") {
        const status = await callPage(key, other.token, params);
        if (status !== rule.anonymous) failures.push(`${key} with another user's Bearer token: ${status}, want ${rule.anonymous}`);
      } else if (rule.kind === "self" && key.startsWith("GET ") && !rule.stream) {
        const res = await call(key, rule, other.token, params);
        if (res.status >= 500 || res.status === 401) failures.push(`${key} other user: ${res.status}`);
        const text = JSON.stringify(res.body);
        for (const secret of [...secrets, owner.sub]) if (text.includes(secret)) failures.push(`${key} other user sees ${secret}`);
      }
    }
    expect(failures).toEqual([]);
    // The owner's GETs answer with the same fixtures, so the 404s above are about who asked.
    for (const [key, rule] of Object.entries(RULES)) {
      if (rule.kind !== "owned" || !key.startsWith("GET ")) continue;
      if (rule.stream) {
        // A live stream never ends by itself: look at the status, then hang up.
        const res = await exports.default.fetch(request("GET", fill(key.slice(4), params), { token: owner.token, headers: { Accept: "text/event-stream" } }));
        await res.body?.cancel();
        expect(res.status, key).toBe(200);
        continue;
      }
      const res = await call(key, rule, owner.token, params);
      expect(res.status, key).toBe(200);
    }
    // Nothing another user sent changed the owner's data.
    const wf = await api("GET", `/v1/workflows/${params.workflowId}`, { token: owner.token });
    expect(wf.body.data).toMatchObject({ name: "Owner Private", currentVersion: "1.0.0" });
    const dep = await api("GET", `/v1/deployments/${params.deploymentId}`, { token: owner.token });
    expect(dep.body.data).toMatchObject({ name: "My Deployment", status: "active" });
  }, 60_000);
});
