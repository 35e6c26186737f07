#!/usr/bin/env node
// `npm run bench:instructions`: the same paths and references as `npm run bench`, counted in
// instructions per request under valgrind's callgrind instead of timed. Instruction counts do not
// move with what else the machine is doing, so this answers "which is cheaper, and by how much"
// when CPU time on a shared machine is too noisy to. Slow (every server runs ~50× slower inside
// valgrind; about 6 minutes) and local: it needs valgrind (`apt-get install valgrind`).
//   node bench/instructions.mjs [--requests 300] [--rounds 2] [--only live,bareJson]
// Writes bench/results/instructions.md. See bench/README.md.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure, median } from "./measure.mjs";
import { MCP_HEADERS } from "./serve.mjs";
import { CALLGRIND_DIR, ROWS, startServers } from "./servers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { requests: { type: "string", default: "300" }, rounds: { type: "string", default: "2" }, only: { type: "string", default: "" } },
});
const total = Math.min(Math.max(Number(values.requests), 50), 5000);
const rounds = Math.min(Math.max(Number(values.rounds), 1), 5);
try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("bench:instructions needs valgrind (apt-get install valgrind)");
  process.exit(1);
}

rmSync(CALLGRIND_DIR, { recursive: true, force: true });
const { product, productPid, bare, barePid, bareRpcUrl, sdk, sdkUrl, seed, recordKey, mcpHeaders, promptsGet, close } = await startServers({ callgrind: true });
try {
  const auth = { Authorization: `Bearer ${seed.token}` };
  const post = (url, headers) => () => [url, { method: "POST", headers, body: promptsGet }];
  const scenarios = {
    live: [productPid, () => [`${product.url}/health/live`]],
    wfGet: [productPid, () => [`${product.url}/v1/workflows/${seed.workflowId}`, { headers: auth }]],
    prompt: [productPid, post(`${product.url}${seed.mcpPath}`, mcpHeaders)],
    bareJson: [barePid, () => [`${bare.url}/json`]],
    bareD1: [barePid, () => [`${bare.url}/d1/item1`]],
    bareKv: [barePid, () => [`${bare.url}/kv/${recordKey}`]],
    bareRpc: [barePid, post(bareRpcUrl, { "Content-Type": "application/json" })],
    sdkPrompt: [sdk.pid, post(`${sdkUrl}${seed.mcpPath}`, MCP_HEADERS)],
  };

  /** `n` requests, 4 in flight (every server is ~50× slower under valgrind); every answer must be a 2xx. */
  const fire = async ([pid, make], n) => {
    const r = await measure(make, { pid, total: n, concurrency: 4, maxSeconds: 600 });
    if (r.failed || r.requests < n) throw new Error(`${r.failed} of ${r.requests} requests failed (of ${n})`);
  };
  /** callgrind_control -d dumps the counts since the last dump and zeroes them. */
  const dump = (pid) => execFileSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" });
  const lastDumpTotal = (pid) => {
    const dumps = readdirSync(CALLGRIND_DIR).filter((f) => f.startsWith(`${pid}.out.`));
    const newest = dumps.sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop())).at(-1);
    return Number(/^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(join(CALLGRIND_DIR, newest), "utf8"))[1]);
  };

  if (values.only) for (const name of Object.keys(scenarios)) if (!values.only.split(",").includes(name)) delete scenarios[name];
  const perRequest = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
  for (const pid of new Set(Object.values(scenarios).map(([pid]) => pid))) execFileSync("callgrind_control", ["-i", "on", String(pid)], { stdio: "ignore" });
  for (const scenario of Object.values(scenarios)) await fire(scenario, 400); // warm-up (JIT tiers)
  for (let round = 1; round <= rounds; round++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const [pid] = scenario;
      dump(pid);
      await fire(scenario, total);
      dump(pid);
      perRequest[name].push(lastDumpTotal(pid) / total);
      console.log(`round ${round} ${name.padEnd(10)} ${(perRequest[name].at(-1) / 1e6).toFixed(3)} M instructions / request`);
    }
  }

  const m = (name) => median(perRequest[name]);
  const table = [
    `# Instructions per request`,
    ``,
    `${new Date().toISOString().slice(0, 16)} UTC · callgrind (valgrind) on every server process, all threads · ${rounds} round(s) × ${total} requests, 4 in flight, after 400 of warm-up.`,
    `Ratio = reference instructions ÷ product instructions per request (≥ 1: the product does less work). Steady from run to run, whatever else the machine does.`,
    ``,
    `| path | M instr / req | reference | ref M instr / req | ratio | goal |`,
    `|---|---:|---|---:|---:|---|`,
    ...ROWS.filter(([, a, , b]) => scenarios[a] && scenarios[b]).map(([label, a, refLabel, b, goal]) => {
      const ratio = m(b) / m(a);
      const verdict = goal ? `≥ ${goal}× — ${ratio >= goal ? "**met**" : "missed"}` : "";
      return `| ${label} | ${(m(a) / 1e6).toFixed(3)} | ${refLabel} | ${(m(b) / 1e6).toFixed(3)} | ${ratio.toFixed(2)} | ${verdict} |`;
    }),
  ].join("\n") + "\n";
  console.log("\n" + table);
  if (!values.only) writeFileSync(join(root, "bench/results/instructions.md"), table); // only full runs are kept
} finally {
  await close();
}
