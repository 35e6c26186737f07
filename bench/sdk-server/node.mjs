// Hosts the SDK MCP server (bench/sdk-server/worker.ts, built for Node by bench/run.mjs) on Node's
// http server: the official SDK's server running on Node, as the peer. The deployment record the
// product wrote is passed in a file and served from memory (a KV get stand-in).
//   node bench/sdk-server/node.mjs <bundle.mjs> <record-key> <record-file>
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";

const [bundle, key, recordFile] = process.argv.slice(2);
const worker = (await import(pathToFileURL(bundle).href)).default;
const store = new Map([[key, readFileSync(recordFile, "utf8")]]);
const env = {
  KV: {
    async get(k, type) {
      const raw = store.get(k) ?? null;
      return raw !== null && (type === "json" || type?.type === "json") ? JSON.parse(raw) : raw;
    },
  },
};

createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body: req.method === "GET" ? undefined : body });
  const response = await worker.fetch(request, env, { waitUntil() {}, passThroughOnException() {} });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) Readable.fromWeb(response.body).pipe(res);
  else res.end();
}).listen(0, "127.0.0.1", function () {
  console.log(`listening ${this.address().port}`);
});
