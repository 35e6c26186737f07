import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow, initializeBody } from "./helpers/deployments";
import { BASE, api } from "./helpers/http";
import { TestIdeProvider, hostedLoginFetch, openConsentPage, submitConsent, workerFetch } from "./helpers/oauth";

/** Signs in to the dashboard with a token, as the sign-in page does; returns the session cookie. */
async function dashboardCookie(token: string) {
  const res = await workerFetch(`${BASE}/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, Accept: "text/html" },
    body: new URLSearchParams({ token }),
    redirect: "manual",
  });
  expect(res.status).toBe(303);
  return res.headers.get("Set-Cookie")!.split(";")[0]!;
}

async function ownerWithDeployment() {
  const owner = await newUser("consent");
  const wf = await createWorkflow(owner.token);
  const d = await createDeployment(owner.token, { name: "Signed-in deployment", workflowIds: [wf.workflowId] });
  return { owner, d };
}

async function consentFor(mcpEndpoint: string, cookie: string) {
  const provider = new TestIdeProvider("Session IDE");
  expect(await auth(provider, { serverUrl: mcpEndpoint, fetchFn: workerFetch })).toBe("REDIRECT");
  return { provider, page: await openConsentPage(provider.authorizationUrl!, cookie) };
}

describe("IDE sign-in with a dashboard session", () => {
  it("names the signed-in account, asks for no token, and approves with the session alone", async () => {
    const { owner, d } = await ownerWithDeployment();
    const cookie = await dashboardCookie(owner.token);
    const { provider, page } = await consentFor(d.mcpEndpoint, cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain("You are signed in to Hydra Edge as");
    expect(page.html).not.toContain('name="token"');

    const approved = await submitConsent(page, { decision: "approve" }, { origin: BASE });
    expect(approved.status).toBe(302);
    const code = new URL(approved.headers.get("Location")!).searchParams.get("code");
    expect(code).toBeTruthy();
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, authorizationCode: code!, fetchFn: workerFetch })).toBe("AUTHORIZED");
    const mcp = await api("POST", `/mcp/${d.deploymentId}`, { token: provider.tokens()!.access_token, headers: MCP_HEADERS, body: initializeBody() });
    expect(mcp.status).toBe(200);
  });

  it("ignores the session cookie on a cross-site consent POST", async () => {
    const { owner, d } = await ownerWithDeployment();
    const { page } = await consentFor(d.mcpEndpoint, await dashboardCookie(owner.token));
    const forged = await submitConsent(page, { decision: "approve" }, { origin: "https://evil.example" });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain("Sign-in failed");
  });

  it("a session of someone who does not own the deployment gets access_denied", async () => {
    const { d } = await ownerWithDeployment();
    const stranger = await newUser("stranger");
    const { page } = await consentFor(d.mcpEndpoint, await dashboardCookie(stranger.token));
    const denied = await submitConsent(page, { decision: "approve" }, { origin: BASE });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get("Location")!);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("a pasted token wins over the session, so another account can be connected", async () => {
    const { owner, d } = await ownerWithDeployment();
    const other = await newUser("other");
    const { page } = await consentFor(d.mcpEndpoint, await dashboardCookie(other.token));
    const approved = await submitConsent(page, { decision: "approve", token: owner.token }, { origin: BASE });
    expect(approved.status).toBe(302);
    expect(new URL(approved.headers.get("Location")!).searchParams.get("code")).toBeTruthy();
  });
});

describe("IDE sign-in with a dashboard session, hosted login configured", () => {
  const hostedFetch = hostedLoginFetch();

  it("skips the identity provider when the browser is already signed in", async () => {
    const { owner, d } = await ownerWithDeployment();
    const cookie = await dashboardCookie(owner.token);
    const provider = new TestIdeProvider("Hosted session IDE");
    expect(await auth(provider, { serverUrl: d.mcpEndpoint, fetchFn: hostedFetch })).toBe("REDIRECT");
    const pageRes = await hostedFetch(provider.authorizationUrl!, { headers: { Cookie: cookie } });
    const html = await pageRes.text();
    expect(html).toContain("You are signed in to Hydra Edge as");
    const consentCookies = [...pageRes.headers].filter(([n]) => n === "set-cookie").map(([, v]) => v.split(";")[0]);
    const approved = await hostedFetch(`${BASE}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, Cookie: [...consentCookies, cookie].join("; ") },
      body: new URLSearchParams({ handle: /name="handle" value="([^"]+)"/.exec(html)![1]!, decision: "approve" }),
      redirect: "manual",
    });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get("Location")!);
    expect(back.origin + back.pathname).toBe(provider.redirectUrl);
    expect(back.searchParams.get("code")).toBeTruthy();
  });
});
