import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { api } from "./http";

export { createWorkflow } from "./workflows";

export async function createDeployment(token: string, body: Record<string, unknown>) {
  const res = await api("POST", "/v1/deployments", { token, body: { name: "My Deployment", ...body } });
  if (res.status !== 201) throw new Error(`deployment create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { deploymentId: string; mcpEndpoint: string; [k: string]: any };
}

/** Subscribes `userId` to a public workflow by writing the library entry directly. */
export async function addLibraryEntry(userId: string, workflowId: string, pinnedVersion: string, autoUpdate: boolean) {
  const now = new Date().toISOString();
  await env.DB.prepare(
    `INSERT INTO library_entries (id, user_id, workflow_id, source_type, source_user_id, is_active, enabled_adapters, pinned_version, auto_update, added_at, updated_at)
     VALUES (?, ?, ?, 'subscribed', 'someone', 1, '["claude","cursor","codex"]', ?, ?, ?, ?)`,
  )
    .bind(`lib_${crypto.randomUUID().slice(0, 12)}`, userId, workflowId, pinnedVersion, autoUpdate ? 1 : 0, now, now)
    .run();
}

/** The official SDK client, talking to the Worker in-process. */
export async function connectClient(endpoint: string, clientName: string, opts: { token?: string } = {}) {
  const client = new Client({ name: clientName, version: "test" }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: { headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {} },
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
  });
  await client.connect(transport);
  return { client, transport };
}

export const MCP_HEADERS = { Accept: "application/json, text/event-stream", "Content-Type": "application/json" };

export function initializeBody(clientName = "claude-code", protocolVersion = "2025-06-18") {
  return { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: "1.0" } } };
}

/** The SDK's StreamableHTTPError carries the HTTP status as `code` and the body in its message. */
export async function expectHttpError(promise: Promise<unknown>, status: number, message: RegExp) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e as { code?: number; message: string },
  );
  if (!err) throw new Error(`expected HTTP ${status}, but the call succeeded`);
  if (err.code !== status || !message.test(err.message)) {
    throw new Error(`expected HTTP ${status} matching ${message}, got ${err.code}: ${err.message}`);
  }
}
