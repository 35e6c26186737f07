import type { Context } from "hono";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { identifyMcpCaller } from "../oauth/mcp-access";

/**
 * The owner's token or API key, or an OAuth access token issued for this deployment, unless the
 * deployment allows anonymous use. A JWT is checked by signature alone (its `sub` is the user
 * id), so a token-authenticated request stays off D1; an API key needs one D1 lookup by hash,
 * an OAuth token one OAUTH_KV read. The 401 challenge depends on the deployment's auth mode.
 */
export async function assertMayUse(c: Context<AppEnv>, record: DeploymentRecord): Promise<void> {
  if (record.allowAnonymous) return;
  const userId = await identifyMcpCaller(c, record);
  if (userId !== record.ownerId) {
    throw new ApiError("FORBIDDEN", "Only the owner of this deployment may connect to it (it does not allow anonymous access)");
  }
}
