// Serves the built Worker bundle with Miniflare directly (no wrangler dev proxy/inspector),
// with local D1 (migrations applied by wrangler), KV and Durable Objects. Loopback only.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { Miniflare } from "miniflare";
import { send } from "./measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const offline = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export function devSecret() {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  return toml.match(/^DEV_AUTH_SECRET\s*=\s*"([^"]+)"/m)[1];
}

/** A dev token (HS256 with wrangler.toml's local secret) for a bench user. */
export function devToken(sub) {
  return new SignJWT({ email: `${sub}@example.com` })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer("hydra-dev")
    .setIssuedAt() // tokens without iat are refused (MAX_TOKEN_AGE)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(devSecret()));
}

/** Serves one built module Worker with Miniflare on 127.0.0.1 (random port). */
export async function serveScript(scriptPath, options = {}) {
  const mf = new Miniflare({
    scriptPath,
    modules: true,
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat"],
    host: "127.0.0.1",
    port: 0,
    ...options,
  });
  const url = await mf.ready;
  return { url: url.toString().replace(/\/$/, ""), mf };
}

/** Builds dist/bundle/index.js with wrangler (the deployable artefact) and serves it. */
export async function serveBundle(extraBindings = {}, durableObjects = {}) {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "dist/bundle"], { cwd: root, env: offline, stdio: "ignore" });
  const persist = mkdtempSync(join(tmpdir(), "hydra-bench-"));
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: root,
    env: offline,
    stdio: "ignore",
  });
  return serveScript(join(root, "dist/bundle/index.js"), {
    d1Databases: { DB: "00000000-0000-4000-8000-000000000000" },
    d1Persist: join(persist, "v3", "d1"),
    kvNamespaces: { KV: "00000000000000000000000000000000" },
    durableObjects: {
      RUN_OBJECT: { className: "RunObject", useSQLite: true },
      USER_HUB: { className: "UserHub", useSQLite: true },
      RATE_LIMITER: { className: "RateLimiter", useSQLite: true },
      ...durableObjects,
    },
    bindings: {
      ENVIRONMENT: "development",
      DEV_AUTH_SECRET: devSecret(),
      DEV_AUTH_ISSUER: "hydra-dev",
      RATE_LIMITS: JSON.stringify(
        Object.fromEntries(["free", "pro", "team", "enterprise"].map((p) => [p, { perMinute: 1e9, perHour: 1e9 }])),
      ),
      ...extraBindings,
    },
  });
}

/** POSTs a JSON body to a served product's REST API as `token`; returns `data`, throws on a refusal. */
export async function postApi(url, token, path, body) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** JSON-RPC on a served product's `/rpc` as `token`: returns the result, throws on a transport or JSON-RPC error. */
export function rpcClient(url, token) {
  let id = 0;
  return async (method, params) => {
    const res = await send(`${url}/rpc`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = JSON.parse(res.body);
    if (res.status !== 200 || body.error) throw new Error(`${method} → ${res.status} ${JSON.stringify(body.error ?? body)}`);
    return body.result;
  };
}

/**
 * Through the REST API of a served bundle: one workflow (bench/fixture-manifest.json, 6 steps)
 * in an anonymous deployment, so MCP requests measure the KV read + JSON-RPC, not credentials.
 */
export async function seedAnonymousDeployment(url) {
  const token = await devToken("bench-mcp");
  const manifest = JSON.parse(readFileSync(join(root, "bench/fixture-manifest.json"), "utf8"));
  const workflow = await postApi(url, token, "/v1/workflows", { name: "Bug Fix Workflow", manifest });
  const deployment = await postApi(url, token, "/v1/deployments", { name: "bench", workflowIds: [workflow.workflowId], allowAnonymous: true });
  return {
    workflowId: workflow.workflowId,
    deploymentId: deployment.deploymentId,
    mcpPath: new URL(deployment.mcpEndpoint).pathname,
    promptName: "bug_fix_workflow",
    token,
  };
}

/** Headers every MCP request after `initialize` carries (no session id). */
export const MCP_HEADERS = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
  "MCP-Protocol-Version": "2025-06-18",
};

/** Sends `initialize` as Claude Code would and returns the signed session id. */
export async function initializeMcpSession(url, mcpPath) {
  const res = await fetch(`${url}${mcpPath}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "claude-code", version: "bench" } },
    }),
  });
  await res.arrayBuffer();
  return res.headers.get("mcp-session-id");
}
