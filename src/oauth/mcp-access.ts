import type { Context } from "hono";
import { verifyCredential } from "../auth/middleware";
import { authModeOf, type DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { MCP_SCOPE, authorizationServer, deploymentResource, oauthIssuer, resourceMetadataUrl, type McpGrantProps } from "./server";

/**
 * The library's access tokens are `userId:grantId:secret`. JWTs (dots only) and `hk_` keys never
 * contain a colon, so the shape alone routes a credential to the right check.
 */
const isOAuthAccessToken = (credential: string) => credential.includes(":");

function bearerOf(c: Context<AppEnv>): string | null {
  const header = c.req.header("Authorization");
  return (header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]) || null;
}

/** An OAuth access token issued for this deployment (its audience), or null. One OAUTH_KV read. */
async function userOfAccessToken(c: Context<AppEnv>, record: DeploymentRecord, token: string): Promise<string | null> {
  const issuer = oauthIssuer(c);
  const server = authorizationServer(c.get("config"), issuer, record.deploymentId);
  const validated = await server.validateToken<McpGrantProps>(deploymentResource(issuer, record.deploymentId), token, c.env);
  if (!validated || validated.props?.deploymentId !== record.deploymentId) return null;
  return validated.props.userId;
}

/**
 * Who calls `/mcp/{id}`: the owner's token or API key in the header (every auth mode, no OAuth
 * step), or an OAuth access token issued for this very deployment (auth mode "oauth"). In OAuth
 * mode a 401 points at the deployment's protected resource metadata (RFC 9728), which is what
 * makes IDEs offer "sign in"; in header mode it stays a plain `Bearer` challenge.
 */
export async function identifyMcpCaller(c: Context<AppEnv>, record: DeploymentRecord): Promise<string> {
  const oauth = authModeOf(record) === "oauth";
  const bearer = bearerOf(c);
  try {
    if (bearer && isOAuthAccessToken(bearer)) {
      if (!oauth) {
        throw new ApiError(
          "UNAUTHORIZED",
          "This deployment does not accept OAuth sign-in (auth mode 'header'): send the owner's token or API key",
          {},
          { "WWW-Authenticate": "Bearer" },
        );
      }
      const userId = await userOfAccessToken(c, record, bearer);
      if (!userId) throw new ApiError("UNAUTHORIZED", "The OAuth access token is invalid, expired, revoked or for another deployment");
      return userId;
    }
    const credential = await verifyCredential(
      c,
      oauth
        ? "This deployment requires signing in (OAuth) or the owner's token or API key: 'Authorization: Bearer <token or API key>'"
        : "This deployment requires the owner's token or API key: send 'Authorization: Bearer <token or API key>'",
    );
    return credential.kind === "api_key" ? credential.user.id : credential.identity.sub;
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "UNAUTHORIZED" || !oauth) throw err;
    const issuer = oauthIssuer(c);
    const invalid = bearer ? ', error="invalid_token"' : "";
    const challenge = `Bearer resource_metadata="${resourceMetadataUrl(issuer, record.deploymentId)}", scope="${MCP_SCOPE}"${invalid}`;
    throw new ApiError(err.code, err.message, err.details, { ...err.headers, "WWW-Authenticate": challenge });
  }
}
