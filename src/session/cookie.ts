import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env";

export const SESSION_COOKIE = "hydra_session";

/** Secure in production and on any https origin; plain http only for local development. */
function isSecure(c: Context<AppEnv>) {
  return c.get("config").ENVIRONMENT === "production" || new URL(c.req.url).protocol === "https:";
}

export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  return value && /^[A-Za-z0-9]{20,100}$/.test(value) ? value : undefined;
}

export function writeSessionCookie(c: Context<AppEnv>, id: string, expiresAt: string) {
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecure(c),
    path: "/",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isSecure(c), httpOnly: true, sameSite: "Lax" });
}

/** Short-lived cookie carrying the OIDC `state`, PKCE verifier and return path between redirects. */
export const OIDC_COOKIE = "hydra_oidc";

export function writeOidcCookie(c: Context<AppEnv>, value: string) {
  setCookie(c, OIDC_COOKIE, value, { httpOnly: true, sameSite: "Lax", secure: isSecure(c), path: "/sign-in", maxAge: 600 });
}

export function takeOidcCookie(c: Context<AppEnv>): string | undefined {
  const value = getCookie(c, OIDC_COOKIE);
  deleteCookie(c, OIDC_COOKIE, { path: "/sign-in", secure: isSecure(c) });
  return value;
}
