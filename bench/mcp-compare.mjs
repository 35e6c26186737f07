#!/usr/bin/env node
// Thin JSON-RPC handler (src/mcp/) vs the official SDK v1 server (bench/sdk-server/worker.ts):
// bundle size, SDK-client conformance of both, and throughput as ratios to a bare JSON route.
//   npm run bench:mcp-compare -- [--requests 1500] [--concurrency 50] [--rounds 3]
import { build } from "esbuild";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MCP_HEADERS, initializeMcpSession, load, seedAnonymousDeployment, serveBundle, serveScript } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/mcp-compare");
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1500" },
    concurrency: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const total = Math.min(Number(values.requests), 20_000);
const concurrency = Math.min(Number(values.concurrency), 200);
const rounds = Math.min(Math.max(Number(values.rounds), 1), 10);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// CPU seconds of the workerd process serving each Worker, from /proc: far less sensitive to the
// other work on a shared machine than req/s (Linux only; null elsewhere).
const TICKS_PER_SECOND = 100;
function childWorkerdPids() {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}
function cpuSeconds(pid) {
  if (!pid) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

// ---- 1. Bundle size: the same esbuild settings for all three (minified, workerd conditions).
const entries = {
  "full worker (src/index.ts)": "src/index.ts",
  "our MCP path only (bench/mcp-only)": "bench/mcp-only/worker.ts",
  "SDK v1 server (bench/sdk-server)": "bench/sdk-server/worker.ts",
};
mkdirSync(outdir, { recursive: true });
const outfiles = {};
console.log("## bundle size (esbuild --minify, platform neutral, conditions workerd/worker/browser)");
console.log("| build | minified | gzip | largest inputs (minified) |\n|---|---|---|---|");
for (const [name, entry] of Object.entries(entries)) {
  const outfile = join(outdir, `${entry.split("/").at(-2)}.js`);
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["node:*", "cloudflare:*"],
    metafile: true,
    logLevel: "warning",
  });
  outfiles[entry] = outfile;
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = {};
  for (const [file, info] of Object.entries(output.inputs)) {
    const pkg = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? file.split("/").slice(0, 2).join("/");
    byPackage[pkg] = (byPackage[pkg] ?? 0) + info.bytesInOutput;
  }
  const bytes = readFileSync(outfile);
  const top = Object.entries(byPackage)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `${k} ${kb(v)}`)
    .join(", ");
  console.log(`| ${name} | ${kb(bytes.length)} | ${kb(gzipSync(bytes).length)} | ${top} |`);
}

// ---- 2. Serve both: the real bundle (wrangler build, as bench/mcp.mjs) and the SDK worker.
const thin = await serveBundle();
const thinPid = childWorkerdPids()[0];
const sdk = await serveScript(outfiles["bench/sdk-server/worker.ts"], { kvNamespaces: { KV: "00000000000000000000000000000000" } });
const sdkPid = childWorkerdPids().find((pid) => pid !== thinPid);
try {
  const { deploymentId, mcpPath, promptName } = await seedAnonymousDeployment(thin.url);
  // The SDK worker gets the very KV record the product wrote.
  const key = `dep:${deploymentId}`;
  const record = await (await thin.mf.getKVNamespace("KV")).get(key);
  await (await sdk.mf.getKVNamespace("KV")).put(key, record);

  // ---- 3. The official SDK client must be happy with both before anything is measured.
  const seen = {};
  for (const [name, url] of [["thin", `${thin.url}${mcpPath}`], ["sdk", `${sdk.url}${mcpPath}`]]) {
    const client = new Client({ name: "claude-code", version: "bench" });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    const { prompts } = await client.listPrompts();
    const prompt = await client.getPrompt({ name: promptName, arguments: { task: "login fails" } });
    const { tools } = await client.listTools();
    const called = await client.callTool({ name: "list_workflows", arguments: {} });
    await client.close();
    if (called.isError) throw new Error(`${name}: list_workflows failed`);
    seen[name] = {
      prompts: prompts.map((p) => p.name).join(","),
      tools: tools.map((t) => t.name).join(","),
      text: prompt.messages[0].content.text,
      listed: called.content[0].text,
    };
    console.log(`\nSDK client OK against ${name}: ${prompts.length} prompt(s), ${tools.length} tools (${seen[name].tools}), prompt ${seen[name].text.length} chars`);
  }
  for (const field of ["prompts", "tools", "text", "listed"]) {
    if (seen.thin[field] !== seen.sdk[field]) throw new Error(`thin and SDK servers differ in ${field}`);
  }
  console.log("both servers return the same prompts, tools, prompt text and tool result");

  // ---- 4. Throughput. Each server is measured against its own bare route in the same round.
  const servers = {
    thin: { url: thin.url, pid: thinPid, headers: { ...MCP_HEADERS, "Mcp-Session-Id": await initializeMcpSession(thin.url, mcpPath) } },
    sdk: { url: sdk.url, pid: sdkPid, headers: MCP_HEADERS },
  };
  const bodies = {
    "prompts/get": { jsonrpc: "2.0", id: 2, method: "prompts/get", params: { name: promptName } },
    "tools/list": { jsonrpc: "2.0", id: 3, method: "tools/list" },
  };
  const scenario = (server, method) =>
    method === "bare"
      ? () => [`${server.url}/health/live`]
      : method === "kv"
        ? () => [`${server.url}/kv/${deploymentId}`]
        : () => [`${server.url}${mcpPath}`, { method: "POST", headers: server.headers, body: JSON.stringify(bodies[method]) }];

  // A 200 with a JSON-RPC error would count as success in load(): check each answer once.
  for (const [name, server] of Object.entries(servers)) {
    for (const method of Object.keys(bodies)) {
      const res = await fetch(...scenario(server, method)());
      const json = await res.json();
      if (!res.ok || !json.result) throw new Error(`${name} ${method}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    }
  }

  // "kv" (a bare route plus the one KV read of the record) exists on the SDK worker only.
  const methods = ["bare", "kv", "prompts/get", "tools/list"];
  const methodsOf = (name) => (name === "sdk" ? methods : methods.filter((m) => m !== "kv"));
  const rps = { thin: {}, sdk: {} };
  const cpuMs = { thin: {}, sdk: {} }; // workerd CPU ms per request
  let failed = 0;
  console.log(`\n## throughput: ${rounds} round(s), ${total} requests per scenario, ${concurrency} in flight`);
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order each round so drift on the shared machine does not favour one server.
    const order = round % 2 ? ["thin", "sdk"] : ["sdk", "thin"];
    for (const name of order) {
      for (const method of methodsOf(name)) {
        const make = scenario(servers[name], method);
        await load(make, { total: Math.min(500, total), concurrency }); // warm-up (JIT)
        const cpuBefore = cpuSeconds(servers[name].pid);
        const r = await load(make, { total, concurrency });
        const cpuAfter = cpuSeconds(servers[name].pid);
        failed += r.failed;
        (rps[name][method] ??= []).push(r.rps);
        if (cpuBefore !== null) (cpuMs[name][method] ??= []).push(((cpuAfter - cpuBefore) * 1000) / r.requests);
      }
    }
    console.log(
      `round ${round}: ` +
        ["thin", "sdk"].map((n) => `${n} ${methodsOf(n).map((m) => `${m} ${rps[n][m].at(-1).toFixed(0)}`).join(" / ")} req/s`).join("; "),
    );
  }

  const ratioTo = (name, method) => rps[name][method].map((v, i) => v / rps[name].bare[i]);
  const range = (xs) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  console.log("\n| scenario | thin handler / its bare route | SDK server / its bare route | thin ÷ SDK (req/s) |\n|---|---|---|---|");
  for (const method of ["prompts/get", "tools/list"]) {
    const direct = rps.thin[method].map((v, i) => v / rps.sdk[method][i]);
    console.log(`| MCP ${method} | ${range(ratioTo("thin", method))} | ${range(ratioTo("sdk", method))} | ${range(direct)} |`);
  }
  const bare = rps.thin.bare.map((v, i) => v / rps.sdk.bare[i]);
  console.log(`| bare route (thin app's /health/live ÷ SDK worker's) | | | ${range(bare)} |`);
  console.log(`median (min–max) over ${rounds} round(s); failed requests: ${failed}`);
  if (cpuMs.thin.bare) {
    // CPU ms of the MCP work above each server's bare route; the SDK worker's "kv" route gives
    // the share of that which is the (local, simulated) KV read, the same in both servers.
    const cpu = (n, m) => median(cpuMs[n][m]);
    const kvShare = cpu("sdk", "kv") - cpu("sdk", "bare");
    console.log("\nworkerd CPU per request, median (includes workerd's own HTTP and local KV handling)");
    console.log(`bare route: thin app ${cpu("thin", "bare").toFixed(2)} ms, SDK worker ${cpu("sdk", "bare").toFixed(2)} ms; one KV read of the record: ${kvShare.toFixed(2)} ms`);
    console.log("| scenario | thin: above its bare route | SDK: above its bare route | protocol layer (minus the KV read): SDK ÷ thin |\n|---|---|---|---|");
    for (const method of ["prompts/get", "tools/list"]) {
      const thinExtra = cpu("thin", method) - cpu("thin", "bare");
      const sdkExtra = cpu("sdk", method) - cpu("sdk", "bare");
      const ratio = (sdkExtra - kvShare) / (thinExtra - kvShare);
      console.log(
        `| ${method} | ${thinExtra.toFixed(2)} ms | ${sdkExtra.toFixed(2)} ms | ${ratio.toFixed(1)}× (${(sdkExtra - kvShare).toFixed(2)} vs ${(thinExtra - kvShare).toFixed(2)} ms) |`,
      );
    }
  }
} finally {
  await Promise.all([thin.mf.dispose(), sdk.mf.dispose()]);
}
