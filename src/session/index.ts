import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuthenticatedUser } from "../auth/types";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from "./cookie";
import { createSession, findSession, revokeSession } from "./store";
import { dbOf } from "../db/session";

export { SESSION_COOKIE } from "./cookie";

export interface BrowserSession {
  user: AuthenticatedUser;
  displayName: string | null;
  csrfToken: string;
}

type SessionEnv = AppEnv & { Variables: { browserSession?: BrowserSession | null } };

/**
 * The signed-in browser user (cookie `hydra_session`), or null. One D1 read per request,
 * remembered on the context so layout and handler share it.
 */
export async function sessionUser(c: Context<AppEnv>): Promise<BrowserSession | null> {
  const ctx = c as unknown as Context<SessionEnv>;
  const cached = ctx.get("browserSession");
  if (cached !== undefined) return cached;
  const id = readSessionCookie(c);
  const stored = id ? await findSession(dbOf(c), id, c.get("clock").now()) : null;
  const session: BrowserSession | null = stored
    ? {
        user: { id: stored.user.id, email: stored.user.email, plan: stored.user.plan, via: "token" },
        displayName: stored.user.displayName,
        csrfToken: stored.csrfToken,
      }
    : null;
  ctx.set("browserSession", session);
  return session;
}

/** How pages name the signed-in person: their display name, else email, else user id. */
export const sessionLabel = (session: BrowserSession) => session.displayName ?? session.user.email ?? session.user.id;

/** Starts a session for a verified user and sets the cookie. */
export async function signIn(c: Context<AppEnv>, userId: string) {
  const created = await createSession(dbOf(c), userId, c.get("clock").now(), c.get("config").SESSION_TTL_SECONDS);
  writeSessionCookie(c, created.id, created.expiresAt);
}

/** Deletes the server-side session (so a copied cookie stops working too) and clears the cookie. */
export async function signOut(c: Context<AppEnv>) {
  const id = readSessionCookie(c);
  if (id) await revokeSession(dbOf(c), id);
  clearSessionCookie(c);
}

/** The origin the browser should be on: the configured public URL, else the request's own. */
export function expectedOrigin(c: Context<AppEnv>): string {
  const base = c.get("config").PUBLIC_BASE_URL;
  return base ? new URL(base).origin : new URL(c.req.url).origin;
}

/**
 * A state-changing request must come from our own pages: `Origin` (or, failing that,
 * `Sec-Fetch-Site`) must say same-origin. Browsers send one of them on every form POST.
 */
export function isSameOriginRequest(c: Context<AppEnv>): boolean {
  const origin = c.req.header("Origin");
  if (origin) return origin === expectedOrigin(c) || origin === new URL(c.req.url).origin;
  const site = c.req.header("Sec-Fetch-Site");
  return site === undefined || site === "same-origin" || site === "none";
}

const forbidden = (message: string) => new ApiError("FORBIDDEN", message);

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * CSRF guard for cookie-authenticated writes: same origin, and the session's token in the
 * form field `_csrf` or the `X-CSRF-Token` header. Runs after the session is loaded.
 */
export const requireCsrf = createMiddleware<AppEnv>(async (c, next) => {
  const session = await sessionUser(c);
  if (!session) throw new ApiError("UNAUTHORIZED", "Sign in first");
  if (!isSameOriginRequest(c)) throw forbidden("Cross-site request refused");
  let submitted = c.req.header("X-CSRF-Token");
  if (!submitted && (c.req.header("Content-Type") ?? "").includes("form")) {
    const body = await c.req.parseBody({ all: true });
    submitted = typeof body._csrf === "string" ? body._csrf : undefined;
  }
  if (!submitted || !sameToken(submitted, session.csrfToken)) throw forbidden("Missing or invalid CSRF token; reload the page and try again");
  await next();
});

/**
 * Lets a signed-in browser read an API stream (e.g. `GET /runs/{id}/events` from EventSource,
 * which cannot send an Authorization header): with no Authorization header and a live session,
 * the session's user becomes the caller. Read-only GETs only, so there is nothing to forge.
 */
export const sessionForReads = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "GET" && !c.req.header("Authorization")) {
    const session = await sessionUser(c);
    if (session) c.set("user", session.user);
  }
  await next();
});
