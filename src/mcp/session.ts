import { base64url } from "jose";
import { derivedOnce, rememberBounded, type Config } from "../env";
import { ApiError } from "../errors";
import type { MaybePromise } from "../maybe-promise";
import { ADAPTERS, type Adapter } from "../manifest/schema";

/**
 * Mcp-Session-Id = `mcp1.<adapter>.<deploymentId>.<issuedAt base36>.<HMAC-SHA256 base64url>`.
 * Self-describing and signed, so any isolate at any location reads the adapter back with no
 * storage, and a redeploy keeps every session valid as long as the secret is unchanged. It is
 * never used for authentication (the spec forbids that): credentials are checked on every request.
 */
const VERSION = "mcp1";
const DEV_FALLBACK = "hydra-local-mcp-session-secret-not-for-production";

export interface McpSession {
  adapter: Adapter;
  deploymentId: string;
}

function configuredSecrets(config: Config): string[] {
  const current = config.MCP_SESSION_SECRET ?? (config.ENVIRONMENT === "production" ? undefined : (config.DEV_AUTH_SECRET ?? DEV_FALLBACK));
  if (!current) throw new ApiError("SERVICE_UNAVAILABLE", "MCP sessions are not configured on this server (MCP_SESSION_SECRET)");
  return config.MCP_SESSION_SECRET_PREVIOUS ? [current, config.MCP_SESSION_SECRET_PREVIOUS] : [current];
}

const hmacKey = (secret: string, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    return base64url.decode(text);
  } catch {
    return null;
  }
}

/**
 * Per config: its secrets (current first) and the session ids this isolate has already verified
 * with them. A signature checked once stays valid for as long as the config (so the secrets) is
 * the same, so repeat requests skip the HMAC. Bounded (least recently verified evicted first); it
 * holds only the ids, which are no secret and no one's data.
 */
const VERIFIED_ENTRIES = 1024;
const sessionSecretsOf = derivedOnce((config: Config) => ({ secrets: configuredSecrets(config), verified: new Map<string, McpSession>() }));

export async function signSession(config: Config, session: McpSession, now: Date): Promise<string> {
  const payload = `${VERSION}.${session.adapter}.${session.deploymentId}.${now.getTime().toString(36)}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(sessionSecretsOf(config).secrets[0]!, "sign"), new TextEncoder().encode(payload));
  return `${payload}.${base64url.encode(new Uint8Array(signature))}`;
}

/** null for anything not signed by us for this deployment (the caller answers 404); at once for an id verified before. */
export function verifySession(config: Config, sessionId: string, deploymentId: string): MaybePromise<McpSession | null> {
  const held = sessionSecretsOf(config);
  const known = held.verified.get(sessionId);
  if (known) return known.deploymentId === deploymentId ? known : null;
  return checkSignature(held, sessionId, deploymentId);
}

async function checkSignature({ secrets, verified }: ReturnType<typeof sessionSecretsOf>, sessionId: string, deploymentId: string): Promise<McpSession | null> {
  const parts = sessionId.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) return null;
  const [, adapter, sessionDeployment, , signature] = parts as [string, string, string, string, string];
  if (!(ADAPTERS as readonly string[]).includes(adapter) || sessionDeployment !== deploymentId) return null;
  const sig = fromBase64Url(signature);
  if (!sig) return null;
  const payload = new TextEncoder().encode(parts.slice(0, 4).join("."));
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), sig, payload)) {
      const session = Object.freeze({ adapter: adapter as Adapter, deploymentId });
      rememberBounded(verified, sessionId, session, VERIFIED_ENTRIES);
      return session;
    }
  }
  return null;
}
