/**
 * The negative cache: an id with no deployment is remembered in KV for a minute, so probing
 * random ids costs one extra KV read, not a D1 query each time.
 */
export const missingDeploymentKvKey = (deploymentId: string) => `dep-missing:${deploymentId}`;
const MISSING_TTL_SECONDS = 60; // KV's minimum expiration

export async function isKnownMissing(kv: KVNamespace, deploymentId: string): Promise<boolean> {
  return (await kv.get(missingDeploymentKvKey(deploymentId))) !== null;
}

export async function rememberMissing(kv: KVNamespace, deploymentId: string): Promise<void> {
  await kv.put(missingDeploymentKvKey(deploymentId), "1", { expirationTtl: MISSING_TTL_SECONDS });
}
