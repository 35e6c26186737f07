/**
 * IDE config snippets for a deployment's MCP endpoint: the same text as the README's
 * "Connect your IDE" section, with the real endpoint filled in.
 */
export function ideSnippets(endpoint: string) {
  return [
    {
      id: "claude-code",
      label: "Claude Code",
      text: `claude mcp add --transport http hydra ${endpoint} --header "Authorization: Bearer $HYDRA_TOKEN"`,
    },
    {
      id: "cursor",
      label: "Cursor",
      text: `{ "mcpServers": { "hydra": { "url": "${endpoint}",\n  "headers": { "Authorization": "Bearer \${env:HYDRA_TOKEN}" } } } }`,
    },
    {
      id: "codex",
      label: "Codex",
      text: `[mcp_servers.hydra]\nurl = "${endpoint}"\nbearer_token_env_var = "HYDRA_TOKEN"`,
    },
  ];
}
