import { OAuthAuthorizationServer, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { Context } from "hono";
import type { AppEnv, Bindings, Config } from "../env";

/** The one scope: access to one deployment's MCP endpoint (the audience says which). */
export const MCP_SCOPE = "mcp";

/** What a grant carries (encrypted in OAUTH_KV); `metadata` repeats the deployment, readable for revocation. */
export interface McpGrantProps {
  userId: string;
  deploymentId: string;
}

/** Canonical origin of this authorization server (lowercase, no trailing slash), from PUBLIC_BASE_URL or the request. */
export function oauthIssuer(c: Context<AppEnv>): string {
  return new URL(c.get("config").PUBLIC_BASE_URL ?? c.req.url).origin;
}

/** RFC 8707 resource (and token audience) of one deployment: its MCP endpoint. */
export const deploymentResource = (issuer: string, deploymentId: string) => `${issuer}/mcp/${deploymentId}`;

/** RFC 9728 path-suffixed metadata URL of one deployment's resource. */
export const resourceMetadataUrl = (issuer: string, deploymentId: string) =>
  `${issuer}/.well-known/oauth-protected-resource/mcp/${deploymentId}`;

const DEPLOYMENT_RESOURCE_PATH = /^\/mcp\/(dep_[A-Za-z0-9]{1,64})\/?$/;

/** The deployment a resource indicator names, when it is one of this server's MCP endpoints. */
export function deploymentIdOfResource(issuer: string, resource: unknown): string | null {
  if (typeof resource !== "string") return null;
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return null;
  }
  if (url.origin !== issuer) return null;
  return DEPLOYMENT_RESOURCE_PATH.exec(url.pathname)?.[1] ?? null;
}

/**
 * The authorization server for one request. Every deployment is its own protected resource,
 * so tokens are bound to it; the library fixes its resource registry at construction, so the
 * server is built per request (cheap: options only) for the deployment the request names.
 * A request that names none (metadata, registration) gets the `/mcp` namespace as its only
 * resource: the registry may not be empty, and /authorize refuses to grant that namespace.
 */
export function authorizationServer(config: Config, issuer: string, deploymentId?: string | null) {
  return new OAuthAuthorizationServer<Bindings>({
    issuer,
    resources: [deploymentId ? deploymentResource(issuer, deploymentId) : `${issuer}/mcp`],
    authorizeEndpoint: `${issuer}/authorize`,
    tokenEndpoint: `${issuer}/token`,
    clientRegistrationEndpoint: `${issuer}/register`,
    scopesSupported: [MCP_SCOPE],
    accessTokenTTL: config.OAUTH_ACCESS_TOKEN_TTL,
    refreshTokenTTL: config.OAUTH_REFRESH_TOKEN_TTL,
    // Advertised only where the Worker has the global_fetch_strictly_public flag (production).
    clientIdMetadataDocumentEnabled: true,
  });
}

export function oauthHelpers(c: Context<AppEnv>, deploymentId?: string | null): OAuthHelpers {
  return authorizationServer(c.get("config"), oauthIssuer(c), deploymentId).getOAuthApi(c.env);
}

/** The request as the library must see it: at the issuer's origin (behind a proxy or custom domain). */
export function atIssuer(issuer: string, request: Request): Request {
  const url = new URL(request.url);
  return url.origin === issuer ? request : new Request(`${issuer}${url.pathname}${url.search}`, request);
}
