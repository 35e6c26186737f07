#!/usr/bin/env node
// `npm run bench`: the product's hot paths next to reference Workers and the official MCP SDK
// server, measured in one run, as ratios. Loopback only, bounded in time (~3 min).
//   node bench/run.mjs [--requests 500] [--concurrency 32] [--rounds 6] [--sse 100,500,1000]
// Writes the table to bench/results/latest.md. See bench/README.md for what each number means.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { prepareLoop } from "./loop.mjs";
import { childWorkerdPids, fanout, measure, median, pinProcesses } from "./measure.mjs";
import { MCP_HEADERS, rpcClient, serveBundle } from "./serve.mjs";
import { ROWS, startServers } from "./servers.mjs";

const cores = availableParallelism(); // before pinning narrows it
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "500" },
    concurrency: { type: "string", default: "32" },
    // Many short rounds rather than few long ones: a neighbour's load on a shared machine then
    // falls on the product and its reference alike.
    rounds: { type: "string", default: "6" },
    sse: { type: "string", default: "100,500,1000" },
    only: { type: "string", default: "" },
  },
});
const total = Math.min(Number(values.requests), 20_000);
const concurrency = Math.min(Number(values.concurrency), 200);
const rounds = Math.min(Math.max(Number(values.rounds), 1), 10);
const sseSizes = values.sse.split(",").filter(Boolean).map(Number).filter((n) => n > 0 && n <= 5000);
const selected = (name) => !values.only || values.only.split(",").includes(name);

// ---- Serve: the product bundle, the reference Workers (both Miniflare/workerd), the SDK on Node.
const { product, productPid, bare, barePid, bareRpcUrl, sdk: sdkProcess, sdkUrl, seed, recordKey, mcpHeaders, promptsGet, close } = await startServers();
let loopProduct;
try {
  const auth = { Authorization: `Bearer ${seed.token}` };
  // The runtime loop needs runs that advance on their own (the default step delay): the same
  // bundle in the same mode, a second instance, so the runs above still never move.
  let loopPid;
  let measureLoop;
  if (selected("loop")) {
    loopProduct = await serveBundle();
    loopPid = childWorkerdPids().find((pid) => pid !== productPid && pid !== barePid);
    measureLoop = await prepareLoop(loopProduct.url, seed.token);
  }
  const pinning = pinProcesses([productPid, barePid, sdkProcess.pid, loopPid].filter(Boolean), cores);

  // The official SDK client must accept both MCP servers before anything is measured.
  for (const url of [`${product.url}${seed.mcpPath}`, `${sdkUrl}${seed.mcpPath}`]) {
    const client = new Client({ name: "claude-code", version: "bench" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    await client.getPrompt({ name: seed.promptName, arguments: { task: "login fails" } });
    await client.listTools();
    await client.close();
  }

  const rpc = (method, params) => ({ jsonrpc: "2.0", id: 1, method, params });
  const rpcCall = rpcClient(product.url, seed.token);
  const statusRun = (await rpcCall("hydra.run", { intent: "Fix the login bug and add tests" })).run_id;

  const post = (url, headers, body) => () => [url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }];
  const toolsList = rpc("tools/list", {});
  const hasResult = (body) => JSON.parse(body).result !== undefined;
  const servers = { product: productPid, bare: barePid, sdk: sdkProcess.pid, loop: loopPid };
  const scenarios = {
    live: ["product", () => [`${product.url}/health/live`]],
    wfGet: ["product", () => [`${product.url}/v1/workflows/${seed.workflowId}`, { headers: auth }]],
    wfList: ["product", () => [`${product.url}/v1/workflows`, { headers: auth }]],
    prompt: ["product", post(`${product.url}${seed.mcpPath}`, mcpHeaders, promptsGet), hasResult],
    tools: ["product", post(`${product.url}${seed.mcpPath}`, mcpHeaders, toolsList), hasResult],
    status: ["product", post(`${product.url}/rpc`, { ...auth, "Content-Type": "application/json" }, rpc("hydra.status", { run_id: statusRun })), hasResult],
    // next_action + report_action pairs (each call one request), see bench/loop.mjs.
    loop: ["loop", null],
    bareJson: ["bare", () => [`${bare.url}/json`]],
    bareRpc: ["bare", post(bareRpcUrl, { "Content-Type": "application/json" }, promptsGet), hasResult],
    bareKv: ["bare", () => [`${bare.url}/kv/${recordKey}`]],
    bareD1: ["bare", () => [`${bare.url}/d1/item1`]],
    bareLimiter: ["bare", (i) => [`${bare.url}/limiter/bench${i % 8}`]],
    sdkPrompt: ["sdk", post(`${sdkUrl}${seed.mcpPath}`, MCP_HEADERS, promptsGet), hasResult],
    sdkTools: ["sdk", post(`${sdkUrl}${seed.mcpPath}`, MCP_HEADERS, toolsList), hasResult],
  };

  const results = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
  console.log(`${rounds} round(s) × ${total} requests, ${concurrency} in flight; ${pinning}`);
  for (let round = 1; round <= rounds; round++) {
    const names = Object.keys(scenarios).filter(selected);
    if (round % 2 === 0) names.reverse(); // drift on a shared machine favours no side
    for (const name of names) {
      const [server, make, check] = scenarios[name];
      const run = (n) => (name === "loop" ? measureLoop(Math.ceil(n / 2), { pid: servers[server], concurrency }) : measure(make, { pid: servers[server], total: n, concurrency, check }));
      if (round === 1) await run(500); // warm-up (JIT tiers, caches)
      const r = await run(total);
      if (r.failed) throw new Error(`${name}: ${r.failed} of ${r.requests} requests failed`);
      results[name].push(r);
      console.log(`round ${round} ${name.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  CPU ${r.cpuMsPer1k.toFixed(0)} ms/1k${r.clientCpuMsPer1k === undefined ? "" : ` (load generator ${r.clientCpuMsPer1k.toFixed(0)})`}`);
    }
  }

  // ---- SSE fan-out: N subscribers on one run (product) vs one bare Durable Object topic.
  const fan = [];
  for (const n of sseSizes) {
    const runId = (await rpcCall("hydra.run", { intent: `Fan-out ${n}` })).run_id;
    const p = await fanout({
      n,
      pid: productPid,
      eventName: "run_cancelled",
      open: (signal) => [`${product.url}/runs/${runId}/events`, { headers: auth, signal }],
      trigger: () => rpcCall("hydra.cancel", { run_id: runId }),
    });
    const b = await fanout({
      n,
      pid: barePid,
      eventName: "ping",
      open: (signal) => [`${bare.url}/sse/topic${n}`, { signal }],
      trigger: () => fetch(`${bare.url}/sse/topic${n}`, { method: "POST", body: "{}" }).then((r) => r.text()),
    });
    fan.push({ n, p, b });
    console.log(`SSE ${n}: product connect ${p.connectMs.toFixed(0)} ms, delivered ${p.delivered}, p99 ${p.p99Ms.toFixed(0)} ms; bare DO connect ${b.connectMs.toFixed(0)} ms, delivered ${b.delivered}, p99 ${b.p99Ms.toFixed(0)} ms`);
  }

  // ---- The table: ratios to the reference measured in the same run (≥ 1 means the product is ahead).
  const cpu = (name) => median(results[name].map((r) => r.cpuMsPer1k));
  const perPass = (a, b) => results[a].map((r, i) => (r.rps / results[b][i].rps).toFixed(2)).join(" / ");
  // Per pass, then the median: each pass pairs the two under the same neighbours.
  const cpuRatio = (a, b) => median(results[a].map((r, i) => results[b][i].cpuMsPer1k / r.cpuMsPer1k));
  const rpsRatios = (a, b) => results[a].map((r, i) => r.rps / results[b][i].rps);
  const lat = (name) => `${median(results[name].map((r) => r.p50)).toFixed(1)} / ${median(results[name].map((r) => r.p99)).toFixed(1)}`;
  const verdict = (a, b, goal) => {
    if (!goal) return "";
    const met = cpuRatio(a, b) >= goal && median(rpsRatios(a, b)) >= goal;
    return `≥ ${goal}× — ${met ? "**met**" : "missed"}`;
  };
  const lines = [
    `# Bench results`,
    ``,
    `${new Date().toISOString().slice(0, 16)} UTC · ${cores} cores · ${pinning} · ${rounds} round(s) × ${total} requests, ${concurrency} in flight.`,
    `Ratios are the product's throughput over the reference's in the same run: CPU ratio = reference CPU ÷ product CPU per request (server process, from /proc), the median of the passes; req/s ratio per pass. ≥ 1 means the product is ahead.`,
    ``,
    `| path | CPU ms / 1k req | reference | ref CPU ms / 1k | ratio (CPU) | ratio (req/s, per pass) | p50 / p99 ms | goal |`,
    `|---|---:|---|---:|---:|---:|---:|---|`,
    ...ROWS.filter(([, a, , b]) => results[a].length && results[b].length).map(([label, a, refLabel, b, goal]) =>
      `| ${label} | ${cpu(a).toFixed(0)} | ${refLabel} | ${cpu(b).toFixed(0)} | ${cpuRatio(a, b).toFixed(2)} | ${perPass(a, b)} | ${lat(a)} | ${verdict(a, b, goal)} |`,
    ),
    ``,
    results.bareLimiter.length && results.bareJson.length && `Rate limiter cost per request: ${((cpu("bareLimiter") - cpu("bareJson")) / 1000).toFixed(2)} ms CPU above a bare JSON response.`,
    results.loop.length && `Runtime loop: a workstation claiming and reporting the actions of runs of 20 independent steps, on a second instance of the same bundle whose runs advance on their own; each call counts as one request, and its CPU includes the act pass each report schedules.`,
    ``,
    ...(fan.length === 0
      ? []
      : [
      `| SSE subscribers (one run) | product: connect all | delivered | p99 from trigger | bare DO: connect all | delivered | p99 | connect ratio (bare ÷ product) | goal (1000: ≤ 2× bare) |`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|---|`,
      ...fan.map(({ n, p, b }) =>
        `| ${n} | ${p.connectMs.toFixed(0)} ms | ${p.delivered}/${n} | ${p.p99Ms.toFixed(0)} ms | ${b.connectMs.toFixed(0)} ms | ${b.delivered}/${n} | ${b.p99Ms.toFixed(0)} ms | ${(b.connectMs / p.connectMs).toFixed(2)} | ${
          n === 1000 ? (p.connectMs <= 2 * b.connectMs && p.delivered === n ? "**met**" : "missed") : ""
        } |`,
      ),
        ]),
  ];
  const table = lines.filter((l) => l !== 0).join("\n") + "\n";
  console.log("\n" + table);
  mkdirSync(join(root, "bench/results"), { recursive: true });
  if (!values.only) writeFileSync(join(root, "bench/results/latest.md"), table); // only full runs are kept
} finally {
  await Promise.all([close(), loopProduct?.mf.dispose()]);
}
