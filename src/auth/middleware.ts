import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { API_KEY_PREFIX, findUserByApiKey } from "../api-keys/service";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { ensureUser } from "../users/service";
import { verifyBearerToken } from "./tokens";
import type { UserRow } from "../db/schema";
import type { AuthenticatedUser, VerifiedIdentity } from "./types";
import { dbOf } from "../db/session";

const challenge = { "WWW-Authenticate": "Bearer" };

function unauthorized(message: string): ApiError {
  return new ApiError("UNAUTHORIZED", message, {}, challenge);
}

export type VerifiedCredential = { kind: "api_key"; user: UserRow } | { kind: "token"; identity: VerifiedIdentity };

/**
 * Parses `Authorization: Bearer …` and verifies it (API key by hash in D1, token by signature),
 * or fails with 401 and a plain `Bearer` challenge. Creates nothing.
 */
export async function verifyCredential(
  c: Context<AppEnv>,
  missingMessage = "Missing Authorization header (expected 'Bearer <token or API key>')",
): Promise<VerifiedCredential> {
  const header = c.req.header("Authorization");
  if (!header) throw unauthorized(missingMessage);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized("Authorization header must be 'Bearer <token or API key>'");
  return verifyCredentialValue(c, match[1]!);
}

/** Verifies one credential string (API key by hash in D1, token by signature); 401 otherwise. */
export async function verifyCredentialValue(c: Context<AppEnv>, credential: string): Promise<VerifiedCredential> {
  if (credential.length > c.get("config").MAX_TOKEN_BYTES) {
    throw unauthorized(`Credential is larger than ${c.get("config").MAX_TOKEN_BYTES} bytes`);
  }
  if (credential.startsWith(API_KEY_PREFIX)) {
    const user = await findUserByApiKey(dbOf(c), credential, c.get("clock").now());
    if (!user) throw unauthorized("API key is invalid or revoked");
    return { kind: "api_key", user };
  }
  try {
    return { kind: "token", identity: await verifyBearerToken(credential, c.get("config"), c.env.KV) };
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.code, err.message, err.details, challenge);
    throw err;
  }
}

/** The user a verified credential belongs to, created on first sight of a token. */
export async function userOfCredential(c: Context<AppEnv>, credential: VerifiedCredential): Promise<AuthenticatedUser> {
  if (credential.kind === "api_key") {
    const { user } = credential;
    return { id: user.id, email: user.email, plan: user.plan, via: "api_key" };
  }
  const user = await ensureUser(dbOf(c), credential.identity, c.get("clock").now());
  return { id: user.id, email: user.email, plan: user.plan, via: "token" };
}

/** What `identify` leaves for the rate limiter and `requireUser`. */
export interface AuthVariables {
  /** The credential failed (or the account is deleted): `requireUser` answers with it. */
  authError?: ApiError;
  /** A verified token whose user the rate limiter resolves (src/ratelimit/middleware.ts). */
  identity?: VerifiedIdentity;
}

/**
 * Verifies credentials without failing yet, so the rate limiter can key unauthenticated traffic
 * by IP (and 401s carry rate-limit headers too); `requireUser` then rejects. An API key resolves
 * its user here (one D1 read, which also checks revocation); a token only proves an identity:
 * its user comes from the rate limiter's call to the user's object, so no D1 read per request.
 */
export const identify = createMiddleware<AppEnv & { Variables: AuthVariables }>(async (c, next) => {
  try {
    const credential = await verifyCredential(c);
    if (credential.kind === "api_key") c.set("user", await userOfCredential(c, credential));
    else c.set("identity", credential.identity);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    c.set("authError", err);
  }
  await next();
});

export const requireUser = createMiddleware<AppEnv & { Variables: AuthVariables }>(async (c, next) => {
  if (!c.get("user")) throw c.get("authError") ?? unauthorized("Authentication required");
  await next();
});
