#!/usr/bin/env node
// Checks a deployment from a terminal with the official MCP SDK client:
//   npm run mcp:smoke -- <mcpEndpoint> [token or API key] [--client claude-code|cursor-vscode|codex-mcp-client]
// Prints the negotiated session, the prompts and the tools. Exit code 1 on any failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const args = process.argv.slice(2);
const clientFlag = args.indexOf("--client");
const clientName = clientFlag >= 0 ? args[clientFlag + 1] : "claude-code";
const positional = args.filter((_, i) => clientFlag < 0 || (i !== clientFlag && i !== clientFlag + 1));
const [endpoint, token = process.env.HYDRA_TOKEN] = positional;

if (!endpoint) {
  console.error("usage: npm run mcp:smoke -- <mcpEndpoint> [token] [--client claude-code|cursor-vscode|codex-mcp-client]");
  process.exit(2);
}

const client = new Client({ name: clientName, version: "mcp-smoke" });
const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
  requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
});

try {
  await client.connect(transport);
  const server = client.getServerVersion();
  console.log(`connected to ${server?.name} ${server?.version} as ${clientName}`);
  console.log(`session: ${transport.sessionId ?? "(none)"}`);
  console.log(`instructions: ${client.getInstructions() ?? ""}`);

  const { prompts } = await client.listPrompts();
  console.log(`\nprompts (${prompts.length}):`);
  for (const p of prompts) console.log(`  ${p.name}  ${p.description ?? ""}`);

  const { tools } = await client.listTools();
  console.log(`\ntools (${tools.length}):`);
  for (const t of tools) console.log(`  ${t.name}  ${t.description ?? ""}`);

  if (prompts[0]) {
    const prompt = await client.getPrompt({ name: prompts[0].name });
    const text = prompt.messages[0]?.content?.text ?? "";
    console.log(`\nfirst prompt (${prompts[0].name}), first lines:\n${text.split("\n").slice(0, 8).map((l) => `  ${l}`).join("\n")}`);
  }
  await client.close();
} catch (err) {
  console.error(`mcp smoke failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
