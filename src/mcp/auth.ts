import type { Context } from "hono";
import { verifyCredential } from "../auth/middleware";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/**
 * The owner's token or API key, unless the deployment allows anonymous use. A JWT is checked
 * by signature alone (its `sub` is the user id), so a token-authenticated request stays off
 * D1; an API key needs one D1 lookup by hash. 401s carry a plain `Bearer` challenge with no
 * `resource_metadata`: advertising OAuth would make Claude Code and Cursor ignore the header.
 */
export async function assertMayUse(c: Context<AppEnv>, record: DeploymentRecord): Promise<void> {
  if (record.allowAnonymous) return;
  const credential = await verifyCredential(
    c,
    "This deployment requires the owner's token or API key: send 'Authorization: Bearer <token or API key>'",
  );
  const userId = credential.kind === "api_key" ? credential.user.id : credential.identity.sub;
  if (userId !== record.ownerId) {
    throw new ApiError("FORBIDDEN", "Only the owner of this deployment may connect to it (it does not allow anonymous access)");
  }
}
