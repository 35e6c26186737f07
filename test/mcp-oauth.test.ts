import { env } from "cloudflare:test";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, connectClient, createDeployment, createWorkflow, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";
import { TestIdeProvider, hostedLoginFetch, openConsentPage, signInWithOAuth, submitConsent, workerFetch } from "./helpers/oauth";

async function setup(extra: Record<string, unknown> = {}) {
  const u = await newUser();
  const wf = await createWorkflow(u.token);
  const d = await createDeployment(u.token, { name: "Team <Prod>", workflowIds: [wf.workflowId], ...extra });
  return { u, wf, d };
}

const mcpInitialize = (path: string, accessToken?: string) =>
  api("POST", path, { ...(accessToken ? { token: accessToken } : {}), headers: MCP_HEADERS, body: initializeBody() });

async function refresh(refreshToken: string, clientId: string) {
  const res = await workerFetch("https://hydra.test/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("OAuth discovery", () => {
  it("401 without credentials points at the deployment's protected resource metadata (RFC 9728)", async () => {
    const { d } = await setup();
    const res = await mcpInitialize(`/mcp/${d.deploymentId}`);
    expect(res.status).toBe(401);
    const metadataUrl = `https://hydra.test/.well-known/oauth-protected-resource/mcp/${d.deploymentId}`;
    expect(res.headers.get("WWW-Authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}", scope="mcp"`);
    expect(res.body.error.code).toBe("UNAUTHORIZED");

    const prm = await api("GET", `/.well-known/oauth-protected-resource/mcp/${d.deploymentId}`);
    expect(prm.status).toBe(200);
    expect(prm.body).toMatchObject({
      resource: d.mcpEndpoint,
      authorization_servers: ["https://hydra.test"],
      scopes_supported: ["mcp"],
      bearer_methods_supported: ["header"],
      resource_name: "Team <Prod>",
    });
    const missing = await api("GET", "/.well-known/oauth-protected-resource/mcp/dep_doesnotexist");
    expect(missing.status).toBe(404);
  });

  it("authorization server metadata (RFC 8414): PKCE S256, registration, token endpoint", async () => {
    const res = await api("GET", "/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: "https://hydra.test",
      authorization_endpoint: "https://hydra.test/authorize",
      token_endpoint: "https://hydra.test/token",
      registration_endpoint: "https://hydra.test/register",
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code"],
    });
    expect(res.body.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
  });

  it("dynamic client registration (RFC 7591) answers a client id", async () => {
    const res = await api("POST", "/register", {
      body: { client_name: "Claude Code (hydra)", redirect_uris: ["http://localhost:54321/callback"], token_endpoint_auth_method: "none" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ client_name: "Claude Code (hydra)", redirect_uris: ["http://localhost:54321/callback"] });
    expect(typeof res.body.client_id).toBe("string");
  });

  it("auth mode 'header' publishes no metadata and refuses OAuth tokens, yet serves the header credential", async () => {
    const { u, d } = await setup();
    const { tokens } = await signInWithOAuth(d.mcpEndpoint, u.token);
    const put = await api("PUT", `/v1/deployments/${d.deploymentId}`, { token: u.token, body: { authMode: "header" } });
    expect(put.body.data.authMode).toBe("header");

    expect((await api("GET", `/.well-known/oauth-protected-resource/mcp/${d.deploymentId}`)).status).toBe(404);
    const anonymous = await mcpInitialize(`/mcp/${d.deploymentId}`);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe("Bearer");
    const withOAuth = await mcpInitialize(`/mcp/${d.deploymentId}`, tokens.access_token);
    expect(withOAuth.status).toBe(401);
    expect(withOAuth.body.error.message).toContain("auth mode 'header'");
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, u.token)).status).toBe(200);
  });
});

describe("OAuth sign-in with the official SDK client", () => {
  it("discovers, registers, asks for consent, exchanges the code with PKCE and serves MCP with the token", async () => {
    const { u, d } = await setup();
    const provider = new TestIdeProvider("Test <IDE>");
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, fetchFn: workerFetch })).toBe("REDIRECT");
    const authorizationUrl = provider.authorizationUrl!;
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe("https://hydra.test/authorize");
    expect(authorizationUrl.searchParams.get("resource")).toBe(d.mcpEndpoint);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");

    const page = await openConsentPage(authorizationUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("Content-Type")).toContain("text/html");
    // The deployment asked for, escaped; the client's self-chosen name, escaped.
    expect(page.html).toContain("Team &#60;Prod&#62;");
    expect(page.html).toContain(d.deploymentId);
    expect(page.html).toContain("Test &#60;IDE&#62;");
    expect(page.html).not.toContain("Test <IDE>");
    expect(page.html).toContain('<label for="token">Token</label>');
    expect(page.html).toMatch(/<button[^>]*value="approve"[^>]*>Approve<\/button>/);
    expect(page.html).toMatch(/<button[^>]*value="deny"[^>]*>Deny<\/button>/);

    const approved = await submitConsent(page, { decision: "approve", token: u.token });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get("Location")!);
    expect(callback.origin + callback.pathname).toBe(provider.redirectUrl);
    expect(callback.searchParams.get("iss")).toBe("https://hydra.test");
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, authorizationCode: callback.searchParams.get("code")!, fetchFn: workerFetch })).toBe(
      "AUTHORIZED",
    );
    const tokens = provider.tokens()!;
    expect(tokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), scope: "mcp" });
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(tokens.refresh_token).toBeTruthy();

    // The SDK transport with the provider: every MCP call carries the access token.
    const client = new Client({ name: "claude-code", version: "test" }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
    await client.connect(new StreamableHTTPClientTransport(new URL(d.mcpEndpoint), { authProvider: provider, fetch: workerFetch }));
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["bug_fix_workflow"]);
    expect((await client.callTool({ name: "list_workflows", arguments: {} })).isError).toBeFalsy();
    await client.close();
  });

  it("refreshes, by hand and through the SDK, and each new access token works", async () => {
    const { u, d } = await setup();
    const { provider, tokens } = await signInWithOAuth(d.mcpEndpoint, u.token);
    const clientId = provider.clientInformation()!.client_id;
    const first = await refresh(tokens.refresh_token!, clientId);
    expect(first.status).toBe(200);
    expect(first.body.access_token).not.toBe(tokens.access_token);
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, first.body.access_token)).status).toBe(200);
    // Refresh through the SDK as well (it sends the resource indicator).
    provider.saveTokens(first.body as any);
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, fetchFn: workerFetch })).toBe("AUTHORIZED");
    expect(provider.tokens()!.access_token).not.toBe(first.body.access_token);
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, provider.tokens()!.access_token)).status).toBe(200);
  });

  it("a token for deployment A is refused on deployment B of the same owner", async () => {
    const { u, wf, d } = await setup();
    const other = await createDeployment(u.token, { name: "B", workflowIds: [wf.workflowId] });
    const { tokens } = await signInWithOAuth(d.mcpEndpoint, u.token);
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, tokens.access_token)).status).toBe(200);
    const refused = await mcpInitialize(`/mcp/${other.deploymentId}`, tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(refused.body.error.message).toContain("another deployment");
  });

  it("OAuth tokens reach nothing but MCP: /v1 and /rpc refuse them", async () => {
    const { u, d } = await setup();
    const { tokens } = await signInWithOAuth(d.mcpEndpoint, u.token);
    const me = await api("GET", "/v1/users/me", { token: tokens.access_token });
    expect(me.status).toBe(401);
    const rpc = await api("POST", "/rpc", { token: tokens.access_token, body: { jsonrpc: "2.0", id: 1, method: "hydra.health" } });
    expect(rpc.status).toBe(401);
  });

  it("the header credential keeps working next to OAuth, for every client", async () => {
    const { u, d } = await setup();
    await signInWithOAuth(d.mcpEndpoint, u.token);
    for (const name of ["claude-code", "cursor-vscode", "codex-mcp-client"]) {
      const { client } = await connectClient(d.mcpEndpoint, name, { token: u.token });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    }
  });
});

describe("The authorization page", () => {
  it("Deny sends the IDE access_denied; a post without the page's cookie is refused (CSRF)", async () => {
    const { u, d } = await setup();
    const provider = new TestIdeProvider();
    await auth(provider, { serverUrl: d.mcpEndpoint, fetchFn: workerFetch });
    const page = await openConsentPage(provider.authorizationUrl!);

    const forged = await submitConsent(page, { decision: "approve", token: u.token }, { cookie: "" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("Location")).toBeNull();

    const denied = await submitConsent(page, { decision: "deny" });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get("Location")!);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe(provider.authorizationUrl!.searchParams.get("state"));
    // The handle works once.
    expect((await submitConsent(page, { decision: "approve", token: u.token })).status).toBe(400);
  });

  it("a wrong token can be corrected; someone else's valid token gets access_denied; an API key works", async () => {
    const { u, d } = await setup();
    const stranger = await newUser("stranger");
    const provider = new TestIdeProvider();
    await auth(provider, { serverUrl: d.mcpEndpoint, fetchFn: workerFetch });
    const page = await openConsentPage(provider.authorizationUrl!);
    const wrong = await submitConsent(page, { decision: "approve", token: "not-a-token" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("The token is not valid");
    const notOwner = await submitConsent(page, { decision: "approve", token: stranger.token });
    expect(new URL(notOwner.headers.get("Location")!).searchParams.get("error")).toBe("access_denied");

    const key = await api("POST", "/v1/api-keys", { token: u.token, body: { name: "ide" } });
    const withKey = await signInWithOAuth(d.mcpEndpoint, key.body.data.key);
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, withKey.tokens.access_token)).status).toBe(200);
  });

  it("without a deployment resource, or for a missing deployment, the page explains instead of redirecting", async () => {
    const noResource = await workerFetch("https://hydra.test/authorize?response_type=code&client_id=x");
    expect(noResource.status).toBe(400);
    expect(await noResource.text()).toContain("Sign-in is per deployment");
    const missing = await workerFetch(`https://hydra.test/authorize?response_type=code&client_id=x&resource=${encodeURIComponent("https://hydra.test/mcp/dep_missing1")}`);
    expect(missing.status).toBe(404);
  });
});

describe("Revocation", () => {
  it("deleting the deployment revokes its grants: refresh fails, and other deployments' grants stay", async () => {
    const { u, wf, d } = await setup();
    const keep = await createDeployment(u.token, { name: "Keep", workflowIds: [wf.workflowId] });
    const gone = await signInWithOAuth(d.mcpEndpoint, u.token);
    const kept = await signInWithOAuth(keep.mcpEndpoint, u.token);
    expect((await api("DELETE", `/v1/deployments/${d.deploymentId}`, { token: u.token })).status).toBe(200);

    const refused = await refresh(gone.tokens.refresh_token!, gone.provider.clientInformation()!.client_id);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
    const tokenKeys = await env.OAUTH_KV.list({ prefix: `token:${u.sub}:` });
    expect(tokenKeys.keys.length).toBeGreaterThan(0); // the other deployment's token
    expect((await mcpInitialize(`/mcp/${keep.deploymentId}`, kept.tokens.access_token)).status).toBe(200);
    expect((await refresh(kept.tokens.refresh_token!, kept.provider.clientInformation()!.client_id)).status).toBe(200);
  });

  it("deleting the account revokes every grant and token", async () => {
    const { u, d } = await setup();
    const { provider, tokens } = await signInWithOAuth(d.mcpEndpoint, u.token);
    expect((await api("DELETE", "/v1/users/me", { token: u.token })).status).toBe(200);
    const refused = await refresh(tokens.refresh_token!, provider.clientInformation()!.client_id);
    expect(refused.status).toBe(400);
    expect((await env.OAUTH_KV.list({ prefix: `grant:${u.sub}:` })).keys).toEqual([]);
    expect((await env.OAUTH_KV.list({ prefix: `token:${u.sub}:` })).keys).toEqual([]);
  });
});

describe("Hosted login (production: the configured OIDC provider)", () => {
  const hostedFetch = hostedLoginFetch();
  const cookiesOf = (res: Response) =>
    [...res.headers].filter(([name]) => name === "set-cookie").map(([, value]) => value.split(";")[0]);

  /** Up to the provider's login: consent approved, the browser sent to OIDC_AUTHORIZE_URL. */
  async function toHostedLogin(mcpEndpoint: string) {
    const provider = new TestIdeProvider();
    expect(await auth(provider, { serverUrl: mcpEndpoint, fetchFn: hostedFetch })).toBe("REDIRECT");
    const pageRes = await hostedFetch(provider.authorizationUrl!);
    const html = await pageRes.text();
    expect(html).not.toContain('name="token"');
    expect(html).toContain("identity provider");
    const cookies = cookiesOf(pageRes);
    const handle = /name="handle" value="([^"]+)"/.exec(html)![1]!;
    const approved = await hostedFetch("https://hydra.test/authorize", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies.join("; ") },
      body: new URLSearchParams({ handle, decision: "approve" }),
      redirect: "manual",
    });
    expect(approved.status).toBe(302);
    const login = new URL(approved.headers.get("Location")!);
    return { provider, login, cookies: [...cookies, ...cookiesOf(approved)].join("; ") };
  }

  it("consent, then the provider's login with PKCE S256, then the code for the IDE", async () => {
    const { u, d } = await setup();
    const { provider, login, cookies } = await toHostedLogin(d.mcpEndpoint);
    expect(login.origin + login.pathname).toBe("https://login.example/authorize");
    expect(Object.fromEntries(login.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "hydra-ide",
      redirect_uri: "https://hydra.test/authorize/callback",
      scope: "openid email",
      code_challenge_method: "S256",
    });
    expect(login.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The provider sends the browser back; its token endpoint (the stand-in) returns the ID token.
    const callback = await hostedFetch(
      `https://hydra.test/authorize/callback?code=${encodeURIComponent(u.token)}&state=${encodeURIComponent(login.searchParams.get("state")!)}`,
      { headers: { Cookie: cookies }, redirect: "manual" },
    );
    expect(callback.status).toBe(302);
    const back = new URL(callback.headers.get("Location")!);
    expect(back.origin + back.pathname).toBe(provider.redirectUrl);
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, authorizationCode: back.searchParams.get("code")!, fetchFn: hostedFetch })).toBe(
      "AUTHORIZED",
    );
    expect((await mcpInitialize(`/mcp/${d.deploymentId}`, provider.tokens()!.access_token)).status).toBe(200);
  });

  it("a refused login or a callback from another browser never grants", async () => {
    const { d } = await setup();
    const first = await toHostedLogin(d.mcpEndpoint);
    const refused = await hostedFetch(`https://hydra.test/authorize/callback?code=refuse&state=${encodeURIComponent(first.login.searchParams.get("state")!)}`, {
      headers: { Cookie: first.cookies },
      redirect: "manual",
    });
    const location = new URL(refused.headers.get("Location")!);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.toString()).not.toContain("upstream-secret-detail");

    const second = await toHostedLogin(d.mcpEndpoint);
    const otherBrowser = await hostedFetch(`https://hydra.test/authorize/callback?code=x&state=${encodeURIComponent(second.login.searchParams.get("state")!)}`, {
      redirect: "manual",
    });
    expect(otherBrowser.status).toBe(400);
    expect(otherBrowser.headers.get("Location")).toBeNull();
  });
});
