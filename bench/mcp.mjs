#!/usr/bin/env node
// Throughput of the thin MCP handler against a bare JSON route (/health), on the BUILT bundle
// served by Miniflare directly (wrangler dev adds a proxy that distorts numbers ~6x).
//   node bench/mcp.mjs [--requests 2000] [--concurrency 50] [--skip-build]
// Loopback only, bounded request counts. Local KV/D1 are simulators: compare ratios, not ms.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { Miniflare } from "miniflare";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "50" },
    "skip-build": { type: "boolean", default: false },
  },
});
const REQUESTS = Math.min(Number(values.requests), 20_000);
const CONCURRENCY = Math.min(Number(values.concurrency), 200);
const root = new URL("..", import.meta.url).pathname;
const outdir = `${root}bench/.build`;

if (!values["skip-build"]) {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

const toml = readFileSync(`${root}wrangler.toml`, "utf8");
const vars = Object.fromEntries(
  [...(toml.match(/^\[vars\][\s\S]*?(?=^\[)/m)?.[0] ?? "").matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]),
);
const limits = { perMinute: 1_000_000, perHour: 10_000_000 };

const mf = new Miniflare({
  modules: true,
  scriptPath: `${outdir}/index.js`,
  compatibilityDate: "2026-04-26",
  compatibilityFlags: ["nodejs_compat"],
  d1Databases: { DB: "bench-db" },
  kvNamespaces: { KV: "bench-kv" },
  durableObjects: { RUN_OBJECT: "RunObject", USER_HUB: "UserHub" },
  bindings: { ...vars, RATE_LIMITS: JSON.stringify({ free: limits, pro: limits, team: limits, enterprise: limits }) },
  host: "127.0.0.1",
  port: 0,
});

try {
  const url = await mf.ready;
  const db = await mf.getD1Database("DB");
  for (const file of readdirSync(`${root}migrations`).filter((f) => f.endsWith(".sql")).sort()) {
    for (const stmt of readFileSync(`${root}migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }

  const token = await new SignJWT({ email: "bench@example.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(`bench-${Date.now()}`)
    .setIssuer(vars.DEV_AUTH_ISSUER)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(vars.DEV_AUTH_SECRET));
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const post = async (path, body, headers = {}) => {
    const res = await fetch(new URL(path, url), { method: "POST", headers: { ...auth, ...headers }, body: JSON.stringify(body) });
    return { res, json: res.status === 202 ? null : await res.json() };
  };

  const manifest = JSON.parse(readFileSync(`${root}bench/fixture-manifest.json`, "utf8"));
  const wf = await post("/v1/workflows", { name: "Bug Fix Workflow", manifest });
  const dep = await post("/v1/deployments", { name: "bench", workflowIds: [wf.json.data.workflowId], allowAnonymous: true });
  const mcpPath = new URL(dep.json.data.mcpEndpoint).pathname;
  const init = await post(mcpPath, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "claude-code", version: "bench" } } });
  const session = init.res.headers.get("mcp-session-id");
  // Anonymous deployment: the MCP path measured is KV read + JSON-RPC, with no credential check.
  const mcpHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18", "Mcp-Session-Id": session };

  const scenarios = {
    "bare JSON (GET /health)": () => fetch(new URL("/health", url)),
    "MCP prompts/get": () =>
      fetch(new URL(mcpPath, url), { method: "POST", headers: mcpHeaders, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: "bug_fix_workflow" } }) }),
    "MCP tools/list": () =>
      fetch(new URL(mcpPath, url), { method: "POST", headers: mcpHeaders, body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }) }),
  };

  async function run(fn, total) {
    let next = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) {
          next += 1;
          const res = await fn();
          await res.arrayBuffer();
          if (res.status !== 200) failures += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { rps: total / seconds, failures };
  }

  const results = {};
  for (const [name, fn] of Object.entries(scenarios)) {
    await run(fn, Math.min(200, REQUESTS)); // warm-up
    results[name] = await run(fn, REQUESTS);
  }
  const base = results["bare JSON (GET /health)"].rps;
  console.log(`requests per scenario: ${REQUESTS}, concurrency: ${CONCURRENCY}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s   ratio ${(r.rps / base).toFixed(2)}   failures ${r.failures}`);
  }
} finally {
  await mf.dispose();
}
