// The servers every bench measures, started the same way for bench/run.mjs (CPU time) and
// bench/instructions.mjs (instruction counts): the product bundle and the bare reference Workers
// under Miniflare/workerd, the official SDK peer on Node, and the product's data copied to the
// references. Loopback only.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import workerdPackage from "workerd"; // CommonJS: the binary's path is its `default` export
import { childWorkerdPids } from "./measure.mjs";
import { MCP_HEADERS, initializeMcpSession, seedAnonymousDeployment, serveBundle, serveScript } from "./serve.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const out = join(root, "dist/bench");

/** Builds the reference Workers and the SDK server for Node into dist/bench. */
async function buildReferences() {
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, format: "esm", target: "es2022", logLevel: "warning" };
  await build({
    ...common,
    entryPoints: [join(root, "bench/bare/worker.ts")],
    outfile: join(out, "bare.js"),
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["node:*", "cloudflare:*"],
  });
  await build({ ...common, entryPoints: [join(root, "bench/sdk-server/worker.ts")], outfile: join(out, "sdk-node.mjs"), platform: "node" });
}

/**
 * Under callgrind, every server runs inside valgrind and writes its counts to
 * dist/bench/callgrind/<pid>.out*; Miniflare starts workerd through a wrapper script.
 */
export const CALLGRIND_DIR = join(out, "callgrind");
// Counting starts off (start-up and seeding run ~5× faster uncounted); the bench turns it on.
const CALLGRIND = ["--tool=callgrind", "--instr-atstart=no", "--smc-check=all-non-file", "--dump-line=no", `--callgrind-out-file=${CALLGRIND_DIR}/%p.out`];

function runWorkerdUnderCallgrind() {
  mkdirSync(CALLGRIND_DIR, { recursive: true });
  const wrapper = join(CALLGRIND_DIR, "workerd");
  writeFileSync(wrapper, `#!/bin/sh\nexec valgrind ${CALLGRIND.join(" ")} ${workerdPackage.default} "$@"\n`);
  chmodSync(wrapper, 0o755);
  process.env.MINIFLARE_WORKERD_PATH = wrapper; // read by Miniflare when it spawns workerd
}

/** Pids with a callgrind output file, newest last. */
const callgrindPids = () => readdirSync(CALLGRIND_DIR).filter((f) => /^\d+\.out$/.test(f)).map((f) => Number(f.split(".")[0]));

/** The table rows both benches report: [label, path, reference label, reference, goal]. */
export const ROWS = [
  ["`GET /health/live`", "live", "bare JSON", "bareJson", 0.9],
  ["authenticated `GET /v1/workflows/{id}`", "wfGet", "bare D1 SELECT", "bareD1", 0.6],
  ["authenticated `GET /v1/workflows`", "wfList", "bare D1 SELECT", "bareD1"],
  ["MCP `prompts/get` (anonymous)", "prompt", "bare KV get", "bareKv", 0.8],
  ["MCP `prompts/get` (anonymous)", "prompt", "Node SDK peer", "sdkPrompt", 3],
  ["MCP `prompts/get` (anonymous)", "prompt", "bare JSON-RPC Worker, same answer (no storage)", "bareRpc"],
  ["bare JSON-RPC Worker, same answer: the ceiling of any MCP server here", "bareRpc", "Node SDK peer", "sdkPrompt"],
  ["MCP `tools/list` (anonymous)", "tools", "bare KV get", "bareKv"],
  ["MCP `tools/list` (anonymous)", "tools", "Node SDK peer", "sdkTools"],
  ["`POST /rpc hydra.status`", "status", "bare D1 SELECT", "bareD1"],
  ["runtime loop: `hydra.next_action` / `hydra.report_action` (per call)", "loop", "bare D1 SELECT", "bareD1"],
  ["runtime loop: `hydra.next_action` / `hydra.report_action` (per call)", "loop", "one bare DO call (rate limiter alone)", "bareLimiter"],
  ["rate limiter alone (one RateLimiter DO call)", "bareLimiter", "bare JSON", "bareJson"],
];

/**
 * Starts the product (runs never advance on their own: benches trigger events with
 * hydra.cancel), the bare Workers and the SDK peer, and seeds one anonymous deployment.
 */
export async function startServers({ callgrind = false } = {}) {
  await buildReferences();
  if (callgrind) runWorkerdUnderCallgrind();
  const known = new Set(callgrind ? callgrindPids() : childWorkerdPids());
  const newPid = () => (callgrind ? callgrindPids() : childWorkerdPids()).find((pid) => !known.has(pid) && known.add(pid));
  const product = await serveBundle({ RUNTIME_STEP_DELAY_MS: "3600000" });
  const productPid = newPid();
  const bare = await serveScript(join(out, "bare.js"), {
    d1Databases: { DB: "bare-db" },
    kvNamespaces: { KV: "bare-kv" },
    durableObjects: { RATE_LIMITER: { className: "RateLimiter", useSQLite: true }, BARE_HUB: { className: "BareHub", useSQLite: true } },
  });
  const barePid = newPid();
  let sdk;
  const close = async () => {
    sdk?.kill();
    await Promise.all([product.mf.dispose(), bare.mf.dispose()]);
  };
  try {
    const seed = await seedAnonymousDeployment(product.url);
    const recordKey = `dep:${seed.deploymentId}`;
    const record = await (await product.mf.getKVNamespace("KV")).get(recordKey);
    const workflowRow = await (await product.mf.getD1Database("DB")).prepare("SELECT * FROM workflows WHERE id = ?").bind(seed.workflowId).first();

    // The references get the product's own data: the same KV record, a row the size of a workflow row.
    await (await bare.mf.getKVNamespace("KV")).put(recordKey, record);
    const bareDb = await bare.mf.getD1Database("DB");
    await bareDb.exec("CREATE TABLE items (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
    await bareDb.prepare("INSERT INTO items (id, body) VALUES (?, ?)").bind("item1", JSON.stringify(workflowRow)).run();

    const recordFile = join(out, "record.json");
    writeFileSync(recordFile, record);
    const node = [join(root, "bench/sdk-server/node.mjs"), join(out, "sdk-node.mjs"), recordKey, recordFile];
    sdk = callgrind
      ? spawn("valgrind", [...CALLGRIND, process.execPath, ...node], { stdio: ["ignore", "pipe", "ignore"] })
      : spawn(process.execPath, node, { stdio: ["ignore", "pipe", "inherit"] });
    const sdkUrl = await new Promise((resolve, reject) => {
      sdk.stdout.on("data", (d) => {
        const port = /listening (\d+)/.exec(String(d))?.[1];
        if (port) resolve(`http://127.0.0.1:${port}`);
      });
      sdk.once("exit", (code) => reject(new Error(`SDK server exited (${code})`)));
    });
    // The bare JSON-RPC Worker answers as many bytes as the product's prompts/get: sending the
    // answer is most of what an MCP request costs once the record is cached.
    const mcpHeaders = { ...MCP_HEADERS, "Mcp-Session-Id": await initializeMcpSession(product.url, seed.mcpPath) };
    const promptsGet = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "prompts/get", params: { name: seed.promptName } });
    const answer = await (await fetch(`${product.url}${seed.mcpPath}`, { method: "POST", headers: mcpHeaders, body: promptsGet })).text();
    const bareRpcUrl = `${bare.url}/rpc?bytes=${Buffer.byteLength(answer)}`;
    return { product, productPid, bare, barePid, bareRpcUrl, sdk, sdkUrl, seed, recordKey, mcpHeaders, promptsGet, close };
  } catch (err) {
    await close();
    throw err;
  }
}
