import type { AuthRequest, OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { Context } from "hono";
import { base64url } from "jose";
import { hostedLoginUrl } from "../auth/hosted-login";
import { userOfCredential, verifyCredentialValue } from "../auth/middleware";
import type { AuthenticatedUser } from "../auth/types";
import type { AppEnv, Config } from "../env";
import { ApiError } from "../errors";
import { sessionUser } from "../session";

/** With a hosted login configured, the page sends the user there; otherwise it asks for a token. */
export const usesHostedLogin = (config: Config) => config.OIDC_AUTHORIZE_URL !== undefined;

/** What the browser brought to prove who its user is. */
export interface SignInEvidence {
  /** A dev token, OIDC ID token or `hk_` API key pasted into the page's "Token" field. */
  pastedToken?: string | null;
  /** The ID token the hosted login returned (already exchanged server-side). */
  idToken?: string | null;
  /**
   * The dashboard session cookie counts (consent POSTs only: the caller checks the request came
   * from our own page, as for every cookie-authenticated write).
   */
  session?: boolean;
}

/**
 * Who the person in the browser is, or null. The one place that decides it for the
 * authorization page: a pasted credential or the hosted login's ID token, each verified exactly
 * like an `Authorization` header on /v1, else the dashboard session when allowed. A pasted
 * credential wins over the session, so someone signed in can still connect another account.
 */
export async function identifyAuthorizingUser(c: Context<AppEnv>, evidence: SignInEvidence): Promise<AuthenticatedUser | null> {
  const credential = (evidence.idToken ?? evidence.pastedToken ?? "").trim();
  if (!credential) return evidence.session ? ((await sessionUser(c))?.user ?? null) : null;
  try {
    return await userOfCredential(c, await verifyCredentialValue(c, credential));
  } catch (err) {
    if (err instanceof ApiError && err.code === "UNAUTHORIZED") return null;
    throw err;
  }
}

export const hostedLoginCallback = (issuer: string) => `${issuer}/authorize/callback`;

/** Data kept (encrypted, server-side) across the hosted login. */
export interface HostedLoginData {
  verifier: string;
}

/** After consent: to the OIDC provider's hosted login (authorization code + PKCE S256). */
export async function startHostedLogin(
  config: Config,
  helpers: OAuthHelpers,
  issuer: string,
  approved: { request: AuthRequest; headers: Headers },
): Promise<Response> {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const { state, headers } = await helpers.beginUpstream(approved.request, { data: { verifier } satisfies HostedLoginData, headers: approved.headers });
  headers.set("Location", await hostedLoginUrl(config, hostedLoginCallback(issuer), state, verifier));
  return new Response(null, { status: 302, headers });
}

/** Exchanges the hosted login's code for its ID token; null on any failure (logged, never shown). */
export async function finishHostedLogin(
  c: Context<AppEnv>,
  issuer: string,
  code: string,
  data: HostedLoginData,
  /** The dashboard's own sign-in comes back elsewhere (`/sign-in/callback`). */
  redirectUri = hostedLoginCallback(issuer),
): Promise<string | null> {
  const config = c.get("config");
  const log = c.get("log");
  const egress = c.env.OIDC_API;
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    client_id: config.OIDC_CLIENT_ID!,
    code_verifier: data.verifier,
  });
  if (config.OIDC_CLIENT_SECRET) body.set("client_secret", config.OIDC_CLIENT_SECRET);
  const send = egress ? (url: string, init: RequestInit) => egress.fetch(url, init) : fetch;
  const response = await send(config.OIDC_TOKEN_URL!, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body,
    signal: AbortSignal.timeout(10_000),
  }).catch((err: unknown) => {
    log.warn("hosted login token request failed", { error: String(err) });
    return null;
  });
  if (!response?.ok) {
    if (response) log.warn("hosted login token request refused", { status: response.status });
    return null;
  }
  const tokens = (await response.json().catch(() => null)) as { id_token?: unknown } | null;
  return typeof tokens?.id_token === "string" ? tokens.id_token : null;
}
