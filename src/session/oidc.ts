import type { Context } from "hono";
import { base64url } from "jose";
import { hostedLoginUrl } from "../auth/hosted-login";
import { verifyBearerToken } from "../auth/tokens";
import type { AppEnv, Config } from "../env";
import { randomToken } from "../services";
import { ensureUser } from "../users/service";
import { finishHostedLogin } from "../oauth/sign-in";
import { takeOidcCookie, writeOidcCookie } from "./cookie";
import { dbOf } from "../db/session";

/** The hosted-login flow is on when the provider is configured (config checks the three come together). */
export const oidcLoginConfigured = (config: Config): boolean => Boolean(config.OIDC_AUTHORIZE_URL && config.OIDC_TOKEN_URL && config.OIDC_CLIENT_ID);

const callbackUrl = (origin: string) => `${origin}/sign-in/callback`;

/**
 * Step 1: remember state, PKCE verifier and return path in a short-lived HttpOnly cookie and
 * send the browser to the provider's hosted login (authorization code + PKCE S256).
 */
export async function startOidcLogin(c: Context<AppEnv>, origin: string, returnTo: string): Promise<string> {
  const config = c.get("config");
  const state = randomToken(32);
  const verifier = randomToken(64);
  writeOidcCookie(c, `${state}.${verifier}.${base64url.encode(returnTo)}`);
  return hostedLoginUrl(config, callbackUrl(origin), state, verifier);
}

export type OidcOutcome = { ok: true; userId: string; returnTo: string } | { ok: false; message: string };

/**
 * Step 2 (the provider redirected back): check `state` against the cookie, exchange the code
 * with the verifier, and verify the ID token exactly as the API verifies Bearer tokens.
 */
export async function finishOidcLogin(c: Context<AppEnv>, origin: string): Promise<OidcOutcome> {
  const config = c.get("config");
  const [state, verifier, encodedReturn] = (takeOidcCookie(c) ?? "").split(".");
  const code = c.req.query("code");
  if (c.req.query("error")) return { ok: false, message: "The identity provider did not sign you in." };
  if (!state || !verifier || !code || c.req.query("state") !== state) {
    return { ok: false, message: "The sign-in attempt expired or did not start here. Please try again." };
  }
  // The same code exchange the IDE authorization page uses, with the dashboard's redirect URI.
  const idToken = await finishHostedLogin(c, origin, code, { verifier }, callbackUrl(origin));
  if (!idToken) return { ok: false, message: "The identity provider could not complete the sign-in." };
  try {
    const identity = await verifyBearerToken(idToken, config, c.env.KV);
    const user = await ensureUser(dbOf(c), identity, c.get("clock").now());
    const returnTo = encodedReturn ? new TextDecoder().decode(base64url.decode(encodedReturn)) : "/";
    return { ok: true, userId: user.id, returnTo };
  } catch {
    return { ok: false, message: "The identity provider's token was not accepted." };
  }
}
