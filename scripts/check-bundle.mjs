#!/usr/bin/env node
// Builds the deployable bundle exactly as `wrangler deploy --env production` would (minified, see wrangler.toml)
// and fails when its gzip size exceeds the budget. Run by .ci/run.
//   node scripts/check-bundle.mjs [--max-kb 350]
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { "max-kb": { type: "string", default: "350" } } });
const maxBytes = Number(values["max-kb"]) * 1000;
const outdir = join(root, "dist/check-bundle");
rmSync(outdir, { recursive: true, force: true });
execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--env", "production", "--outdir", outdir], {
  cwd: root,
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  stdio: ["ignore", "ignore", "inherit"],
});
const bundle = readFileSync(join(outdir, "index.js"));
const gzip = gzipSync(bundle, { level: 9 }).length;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.log(`bundle: ${kb(bundle.length)} minified, ${kb(gzip)} gzip (budget ${kb(maxBytes)} gzip)`);
if (gzip > maxBytes) {
  console.error(`bundle too large: ${kb(gzip)} gzip > ${kb(maxBytes)}`);
  process.exit(1);
}
