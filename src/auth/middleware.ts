import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { API_KEY_PREFIX, findUserByApiKey } from "../api-keys/service";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { ensureUser } from "../users/service";
import { verifyBearerToken } from "./tokens";
import type { AuthenticatedUser } from "./types";

const challenge = { "WWW-Authenticate": "Bearer" };

function unauthorized(message: string): ApiError {
  return new ApiError("UNAUTHORIZED", message, {}, challenge);
}

/** Reads `Authorization: Bearer …` and resolves it to a user, creating the user on first sight. */
export async function authenticateRequest(c: Context<AppEnv>): Promise<AuthenticatedUser> {
  const header = c.req.header("Authorization");
  if (!header) throw unauthorized("Missing Authorization header (expected 'Bearer <token or API key>')");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized("Authorization header must be 'Bearer <token or API key>'");
  const credential = match[1]!;
  const now = c.var.clock.now();

  if (credential.startsWith(API_KEY_PREFIX)) {
    const user = await findUserByApiKey(c.var.db, credential, now);
    if (!user) throw unauthorized("API key is invalid or revoked");
    return { id: user.id, email: user.email, plan: user.plan, via: "api_key" };
  }
  try {
    const identity = await verifyBearerToken(credential, c.var.config, c.env.KV);
    const user = await ensureUser(c.var.db, identity, now);
    return { id: user.id, email: user.email, plan: user.plan, via: "token" };
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.code, err.message, err.details, challenge);
    throw err;
  }
}

/**
 * Resolves credentials without failing yet, so the rate limiter can key unauthenticated
 * traffic by IP (and 401s carry rate-limit headers too); `requireUser` then rejects.
 */
export const identify = createMiddleware<AppEnv & { Variables: { authError?: ApiError } }>(async (c, next) => {
  try {
    c.set("user", await authenticateRequest(c));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    c.set("authError", err);
  }
  await next();
});

export const requireUser = createMiddleware<AppEnv & { Variables: { authError?: ApiError } }>(async (c, next) => {
  if (!c.var.user) throw c.var.authError ?? unauthorized("Authentication required");
  await next();
});

/** For routes outside /v1 (RPC, SSE): authenticate or fail with 401 in the REST envelope. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", await authenticateRequest(c));
  await next();
});
