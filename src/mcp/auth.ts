import type { Context } from "hono";
import { API_KEY_PREFIX, findUserByApiKey } from "../api-keys/service";
import { verifyBearerToken } from "../auth/tokens";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/**
 * A plain `Bearer` challenge with no `resource_metadata`: advertising OAuth would make Claude
 * Code and Cursor ignore the configured Authorization header.
 */
const challenge = { "WWW-Authenticate": "Bearer" };
const unauthorized = (message: string) => new ApiError("UNAUTHORIZED", message, {}, challenge);

/**
 * The owner's token or API key, unless the deployment allows anonymous use. A JWT is checked
 * by signature alone (its `sub` is the user id), so a token-authenticated request stays off
 * D1; an API key needs one D1 lookup by hash.
 */
export async function assertMayUse(c: Context<AppEnv>, record: DeploymentRecord): Promise<void> {
  if (record.allowAnonymous) return;
  const header = c.req.header("Authorization");
  if (!header) {
    throw unauthorized("This deployment requires the owner's token or API key: send 'Authorization: Bearer <token or API key>'");
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized("Authorization header must be 'Bearer <token or API key>'");
  const credential = match[1]!;

  let userId: string;
  if (credential.startsWith(API_KEY_PREFIX)) {
    const user = await findUserByApiKey(c.var.db, credential, c.var.clock.now());
    if (!user) throw unauthorized("API key is invalid or revoked");
    userId = user.id;
  } else {
    try {
      userId = (await verifyBearerToken(credential, c.var.config, c.env.KV)).sub;
    } catch (err) {
      if (err instanceof ApiError) throw unauthorized(err.message);
      throw err;
    }
  }
  if (userId !== record.ownerId) {
    throw new ApiError("FORBIDDEN", "Only the owner of this deployment may connect to it (it does not allow anonymous access)");
  }
}
