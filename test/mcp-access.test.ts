import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow, initializeBody } from "./helpers/deployments";
import { api, readResponse, request } from "./helpers/http";

/** One initialize through the app with extra configuration (ENVIRONMENT, allow-lists). */
async function initializeWith(extraEnv: Record<string, string>, path: string, token: string, headers: Record<string, string>) {
  const req = request("POST", path, { token, headers: { ...MCP_HEADERS, ...headers }, body: initializeBody() });
  return readResponse(await createApp().fetch(req, { ...env, ...extraEnv }, createExecutionContext()));
}

async function setup(extra: Record<string, unknown> = {}) {
  const u = await newUser();
  const wf = await createWorkflow(u.token);
  const d = await createDeployment(u.token, { workflowIds: [wf.workflowId], ...extra });
  return { u, d, path: `/mcp/${d.deploymentId}` };
}

describe("MCP DNS rebinding protection", () => {
  it("a foreign Host is 421 in JSON-RPC form, before anything else is looked at", async () => {
    const { u, path } = await setup();
    const attempts: Record<string, string>[] = [{ Host: "evil.example.com", Origin: "http://evil.example.com" }, { Host: "evil.example.com" }];
    for (const headers of attempts) {
      const res = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, ...headers }, body: initializeBody() });
      expect(res.status).toBe(421);
      expect(res.body).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: expect.stringContaining("evil.example.com"), data: { code: "MISDIRECTED_REQUEST", host: "evil.example.com" } },
      });
    }
    // Even for GET and unknown deployments: the Host check comes first.
    expect((await api("GET", "/mcp/dep_nothere", { headers: { Host: "evil.example.com" } })).status).toBe(421);
  });

  it("serves the public host and, outside production, localhost names on any port", async () => {
    const { u, path } = await setup();
    for (const [host, scheme] of [["hydra.test", "https"], ["localhost:8787", "http"], ["127.0.0.1:38000", "http"], ["[::1]:8787", "https"], ["LOCALHOST", "http"]]) {
      const res = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, Host: host!, Origin: `${scheme}://${host}` }, body: initializeBody() });
      expect(res.status, host).toBe(200);
    }
    // A local name with a port no URL can carry is not a local host.
    for (const host of ["localhost:65536", "127.0.0.1:99999"]) {
      const res = await api("POST", path, { token: u.token, headers: { ...MCP_HEADERS, Host: host }, body: initializeBody() });
      expect(res.status, host).toBe(421);
    }
  });

  it("the allow-lists come from configuration, never from the request: MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS, production", async () => {
    const { u, path } = await setup();
    const extras = { MCP_ALLOWED_HOSTS: "mcp.example.org, edge.example.org:8443", MCP_ALLOWED_ORIGINS: "https://app.example.org" };
    expect((await initializeWith(extras, path, u.token, { Host: "mcp.example.org:1234" })).status).toBe(200);
    expect((await initializeWith(extras, path, u.token, { Host: "edge.example.org:8443" })).status).toBe(200);
    expect((await initializeWith(extras, path, u.token, { Host: "edge.example.org:9999" })).status).toBe(421);
    // An allowed Host does not make its own origin an allowed Origin.
    const sameOrigin = await initializeWith(extras, path, u.token, { Host: "mcp.example.org", Origin: "https://mcp.example.org" });
    expect(sameOrigin.status).toBe(403);
    expect(sameOrigin.body.error.data).toEqual({ code: "FORBIDDEN", origin: "https://mcp.example.org" });
    expect((await initializeWith(extras, path, u.token, { Host: "mcp.example.org", Origin: "https://app.example.org" })).status).toBe(200);

    // Production: localhost is a foreign name like any other, for Host and Origin alike.
    const production = { ENVIRONMENT: "production", DEV_AUTH_SECRET: "" };
    expect((await initializeWith(production, path, u.token, { Host: "localhost:8787" })).status).toBe(421);
    expect((await initializeWith(production, path, u.token, { Origin: "http://localhost:8787" })).status).toBe(403);
  });
});

describe("MCP reveals nothing about a deployment the caller may not use", () => {
  it("another user's deployment is 404 like a missing one; without credentials a private one is 401", async () => {
    const { path } = await setup();
    const other = await newUser();
    const theirs = await api("POST", path, { token: other.token, headers: MCP_HEADERS, body: initializeBody() });
    const missing = await api("POST", "/mcp/dep_missing0000000000", { token: other.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    expect(theirs.body.error.message.replace(/dep_\w+/, "ID")).toBe(missing.body.error.message.replace(/dep_\w+/, "ID"));
    const noCredentials = await api("POST", path, { headers: MCP_HEADERS, body: initializeBody() });
    const noCredentialsMissing = await api("POST", "/mcp/dep_missing0000000000", { headers: MCP_HEADERS, body: initializeBody() });
    expect([noCredentials.status, noCredentialsMissing.status]).toEqual([401, 404]);
    expect(noCredentials.headers.get("WWW-Authenticate")).toMatch(/^Bearer resource_metadata="[^"]+\/.well-known\/oauth-protected-resource\/mcp\/dep_\w+"/);
  });

  it("an inactive deployment is 423 to its owner only; others get 404 (or 401), never its status", async () => {
    const { u, d, path } = await setup();
    const other = await newUser();
    expect((await api("POST", `/v1/deployments/${d.deploymentId}/deactivate`, { token: u.token })).status).toBe(200);
    const owner = await api("POST", path, { token: u.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(owner.status).toBe(423);
    expect(owner.body.error.details).toEqual({ deploymentId: d.deploymentId, status: "inactive" });
    const stranger = await api("POST", path, { token: other.token, headers: MCP_HEADERS, body: initializeBody() });
    expect(stranger.status).toBe(404);
    expect(JSON.stringify(stranger.body)).not.toContain("inactive");
    const anonymous = await api("POST", path, { headers: MCP_HEADERS, body: initializeBody() });
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain("inactive");
  });

  it("an inactive anonymous deployment is 423 to anyone", async () => {
    const { u, d, path } = await setup({ allowAnonymous: true });
    await api("POST", `/v1/deployments/${d.deploymentId}/deactivate`, { token: u.token });
    const res = await api("POST", path, { headers: MCP_HEADERS, body: initializeBody() });
    expect(res.status).toBe(423);
    expect(res.body.error.details.status).toBe("inactive");
  });
});
