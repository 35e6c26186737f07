import { OAuthAuthorizationServer, type GrantSummary, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";

/**
 * Grant listing and revocation read neither the issuer nor the resources, so any valid
 * configuration does; this loopback issuer is never advertised.
 */
function grantAdmin(oauthKv: KVNamespace): OAuthHelpers {
  return new OAuthAuthorizationServer<{ OAUTH_KV: KVNamespace }>({
    issuer: "http://localhost",
    resources: ["http://localhost/mcp"],
  }).getOAuthApi({ OAUTH_KV: oauthKv });
}

async function eachGrant(helpers: OAuthHelpers, userId: string, visit: (grant: GrantSummary) => Promise<boolean | void>) {
  let cursor: string | undefined;
  do {
    const page = await helpers.listUserGrants(userId, cursor ? { cursor } : {});
    for (const grant of page.items) if ((await visit(grant)) === false) return;
    cursor = page.cursor;
  } while (cursor);
}

/**
 * Revokes a user's OAuth grants, and with them their access and refresh tokens: all of them
 * (account deletion) or one deployment's (deployment deletion).
 */
export async function revokeOAuthGrants(oauthKv: KVNamespace, userId: string, deploymentId?: string): Promise<number> {
  const helpers = grantAdmin(oauthKv);
  let revoked = 0;
  await eachGrant(helpers, userId, async (grant) => {
    if (deploymentId && grant.metadata?.deploymentId !== deploymentId) return;
    await helpers.revokeGrant(grant.id, userId);
    revoked += 1;
  });
  return revoked;
}

/** The deployment of a grant named by a code or refresh token (`userId:grantId:secret`). */
export async function deploymentOfGrantToken(oauthKv: KVNamespace, token: string): Promise<string | null> {
  const [userId, grantId] = token.split(":");
  if (!userId || !grantId) return null;
  let found: string | null = null;
  await eachGrant(grantAdmin(oauthKv), userId, async (grant) => {
    if (grant.id !== grantId) return;
    found = typeof grant.metadata?.deploymentId === "string" ? grant.metadata.deploymentId : null;
    return false;
  });
  return found;
}
