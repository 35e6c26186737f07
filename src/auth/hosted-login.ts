import { base64url } from "jose";
import type { Config } from "../env";

/** PKCE S256: the challenge sent with the authorization request for a verifier kept server-side. */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

/**
 * The configured OIDC provider's hosted login (authorization code + PKCE S256). Shared by the
 * dashboard's sign-in and the IDE authorization page; they differ only in where the provider
 * sends the browser back and in where they keep state and verifier.
 */
export async function hostedLoginUrl(config: Config, redirectUri: string, state: string, verifier: string): Promise<string> {
  const url = new URL(config.OIDC_AUTHORIZE_URL!);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.OIDC_CLIENT_ID!);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", config.OIDC_SCOPES);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await pkceChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}
