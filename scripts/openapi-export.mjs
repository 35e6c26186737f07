// Writes the API's OpenAPI document (the one GET /openapi.json serves) to a file, for the typed
// client's generator: `npm run client:generate`.
import { writeFileSync } from "node:fs";
import { register } from "node:module";

register("./lib/workers-loader.mjs", import.meta.url);
const { createApp } = await import("../src/app");
const { configSchema } = await import("../src/env");
const { buildOpenApiDocument } = await import("../src/openapi/document");

const out = process.argv[2] ?? "client/openapi.json";
const document = buildOpenApiDocument(createApp(), configSchema.parse({}), "http://localhost:8787");
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${out} (${Object.keys(document.paths).length} paths)`);
