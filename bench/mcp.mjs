#!/usr/bin/env node
// Throughput of the thin MCP handler against a bare JSON route (/health/live), on the BUILT bundle
// served by Miniflare directly (see bench/serve.mjs).
//   node bench/mcp.mjs [--requests 2000] [--concurrency 50]
import { parseArgs } from "node:util";
import { MCP_HEADERS, initializeMcpSession, load, seedAnonymousDeployment, serveBundle } from "./serve.mjs";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "2000" }, concurrency: { type: "string", default: "50" } },
});
const total = Math.min(Number(values.requests), 20_000);
const concurrency = Math.min(Number(values.concurrency), 200);

const { url, mf } = await serveBundle();
try {
  const { mcpPath, promptName } = await seedAnonymousDeployment(url);
  // Anonymous deployment: what is measured is the KV read + JSON-RPC, with no credential check.
  const mcpHeaders = { ...MCP_HEADERS, "Mcp-Session-Id": await initializeMcpSession(url, mcpPath) };
  const mcpCall = (body) => () => [`${url}${mcpPath}`, { method: "POST", headers: mcpHeaders, body: JSON.stringify(body) }];

  const scenarios = {
    "bare JSON (GET /health/live)": () => [`${url}/health/live`],
    "MCP prompts/get": mcpCall({ jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: promptName } }),
    "MCP tools/list": mcpCall({ jsonrpc: "2.0", id: 3, method: "tools/list" }),
  };
  let baseline = 0;
  console.log(`requests per scenario: ${total}, concurrency: ${concurrency}`);
  for (const [name, make] of Object.entries(scenarios)) {
    await load(make, { total: Math.min(200, total), concurrency }); // warm-up
    const r = await load(make, { total, concurrency });
    baseline ||= r.rps;
    console.log(`${name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s   ratio ${(r.rps / baseline).toFixed(2)}   failed ${r.failed}`);
  }
} finally {
  await mf.dispose();
}
