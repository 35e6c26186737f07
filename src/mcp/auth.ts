import type { Context } from "hono";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import type { MaybePromise } from "../maybe-promise";
import { identifyMcpCaller } from "../oauth/mcp-access";

/** Who is asking (a user id, or nobody on an anonymous deployment) and the deployment they may use. */
export interface McpCaller {
  userId: string | null;
  record: DeploymentRecord;
}

/**
 * Access before state, so a caller who may not use a deployment learns nothing about it:
 * - a missing deployment is 404;
 * - anonymous deployments: anyone, credentials ignored;
 * - otherwise credentials (401 without or with a bad one), then someone else's deployment is
 *   the same 404 as a missing one;
 * - only then is an inactive deployment 423, to the owner (or anyone, when anonymous).
 * A 401 tells an unauthenticated caller only that the id needs a credential; ids are 16 random
 * base62 characters, so that cannot be used to find deployments.
 */
export function admitCaller(c: Context<AppEnv>, deploymentId: string, record: DeploymentRecord | null): MaybePromise<McpCaller> {
  if (!record) throw notFound("Deployment", deploymentId);
  if (record.allowAnonymous) {
    assertActive(record);
    return { userId: null, record };
  }
  return admitOwner(c, deploymentId, record);
}

async function admitOwner(c: Context<AppEnv>, deploymentId: string, record: DeploymentRecord): Promise<McpCaller> {
  // The one credential check: header token / API key, or this deployment's OAuth access token.
  const userId = await identifyMcpCaller(c, record);
  if (userId !== record.ownerId) throw notFound("Deployment", deploymentId);
  assertActive(record);
  return { userId, record };
}

function assertActive(record: DeploymentRecord) {
  if (record.status !== "active") {
    throw new ApiError("LOCKED", "This deployment is inactive; its owner can re-activate it", {
      deploymentId: record.deploymentId,
      status: record.status,
    });
  }
}
