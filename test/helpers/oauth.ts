import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { auth, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { expect } from "vitest";
import { createApp } from "../../src/app";

/** Every request of the SDK's OAuth client goes to the Worker in-process. */
export const workerFetch = (url: string | URL, init?: RequestInit) => exports.default.fetch(new Request(url, init));

/** An IDE as the SDK models it: a loopback redirect, dynamic registration, tokens in memory. */
export class TestIdeProvider implements OAuthClientProvider {
  readonly redirectUrl = "http://127.0.0.1:33418/callback";
  authorizationUrl: URL | undefined;
  private client: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";

  constructor(private readonly name = "Test IDE") {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

export interface ConsentPage {
  status: number;
  headers: Headers;
  html: string;
  handle: string | null;
  cookie: string;
}

/** What a browser does with the authorization URL: load the page (with cookies it has), keep the page's cookie. */
export async function openConsentPage(url: URL | string, browserCookie?: string): Promise<ConsentPage> {
  const res = await workerFetch(url, browserCookie ? { headers: { Cookie: browserCookie } } : undefined);
  const html = await res.text();
  const cookie = [...res.headers]
    .filter(([name]) => name === "set-cookie")
    .map(([, value]) => value.split(";")[0])
    .concat(browserCookie ? [browserCookie] : [])
    .join("; ");
  return { status: res.status, headers: res.headers, html, handle: /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? null, cookie };
}

/** Submits the consent form as the browser would (form encoding, the page's cookie). */
export async function submitConsent(page: ConsentPage, fields: Record<string, string>, opts: { cookie?: string; origin?: string } = {}) {
  const body = new URLSearchParams({ handle: page.handle ?? "", ...fields });
  return workerFetch("https://hydra.test/authorize", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: opts.cookie ?? page.cookie,
      ...(opts.origin ? { Origin: opts.origin } : {}),
    },
    body,
    redirect: "manual",
  });
}

/**
 * The whole browser sign-in with the SDK's `auth()`: discovery and registration, the consent
 * page approved with `token` pasted in, then the code exchange with PKCE. Returns the tokens.
 */
export async function signInWithOAuth(mcpEndpoint: string, token: string, provider = new TestIdeProvider()) {
  expect(await auth(provider, { serverUrl: mcpEndpoint, fetchFn: workerFetch })).toBe("REDIRECT");
  const page = await openConsentPage(provider.authorizationUrl!);
  expect(page.status).toBe(200);
  const approved = await submitConsent(page, { decision: "approve", token });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("Location")!);
  const code = callback.searchParams.get("code");
  expect(code, callback.toString()).toBeTruthy();
  expect(await auth(provider, { serverUrl: mcpEndpoint, authorizationCode: code!, fetchFn: workerFetch })).toBe("AUTHORIZED");
  return { provider, tokens: provider.tokens()!, page, callback };
}

/** The Worker with a hosted login (OIDC provider) configured, as production runs it. */
export function hostedLoginFetch() {
  const hostedEnv = {
    ...env,
    OIDC_AUTHORIZE_URL: "https://login.example/authorize",
    OIDC_TOKEN_URL: "https://login.example/token",
    OIDC_CLIENT_ID: "hydra-ide",
  };
  const app = createApp();
  return async (url: string | URL, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(url, init), hostedEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}
