import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { requireCsrf, sessionUser, type BrowserSession } from "../session";
import { Layout } from "./layout";

/**
 * Scripts and styles only from the Worker itself, nothing inline; forms may only post here
 * (plus the hosted pages a form is redirected to: the identity provider, Stripe).
 */
export function contentSecurityPolicy(c: Context<AppEnv>): string {
  const config = c.get("config");
  const formTargets = ["'self'"];
  if (config.OIDC_AUTHORIZE_URL) formTargets.push(new URL(config.OIDC_AUTHORIZE_URL).origin);
  if (config.STRIPE_SECRET_KEY) formTargets.push("https://checkout.stripe.com", "https://billing.stripe.com");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action ${formTargets.join(" ")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export function securityHeaders(c: Context<AppEnv>) {
  c.header("Content-Security-Policy", contentSecurityPolicy(c));
  c.header("X-Content-Type-Options", "nosniff");
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "same-origin");
  // Pages show private data (and API keys once): never stored by the browser or a proxy.
  c.header("Cache-Control", "no-store");
}

/** Renders a screen inside the layout with the dashboard's headers. */
export async function render(c: Context<AppEnv>, title: string, body: Child, status: ContentfulStatusCode = 200) {
  securityHeaders(c);
  const session = await sessionUser(c);
  const html = (
    <Layout title={title} path={c.req.path} session={session}>
      {body}
    </Layout>
  );
  // Screens may hold async components: toString() then resolves to the full document.
  return c.html(`<!doctype html>${await html.toString()}`, status);
}

/** Only paths on this origin: `/x` yes, `//evil.example`, `https://…`, `/\evil` no. */
export function safeReturnPath(raw: string | undefined | null, origin: string): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  try {
    const url = new URL(raw, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

type SessionVars = AppEnv & { Variables: { session: BrowserSession } };

/** Signed-in screens: a browser without a session goes to the sign-in page and comes back. */
export const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  const session = await sessionUser(c);
  if (!session) {
    const back = `${c.req.path}${new URL(c.req.url).search}`;
    return c.redirect(`/sign-in?return_to=${encodeURIComponent(back)}`, 303);
  }
  (c as unknown as Context<SessionVars>).set("session", session);
  c.set("user", session.user);
  await next();
});

/** Signed-in writes: the session plus the CSRF checks. */
export const signedInWrite = [signedIn, requireCsrf] as const;

export const sessionOf = (c: Context<AppEnv>) => (c as unknown as Context<SessionVars>).get("session");

/** Form fields as strings (files and repeated fields are read with `formList`). */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export async function formList(c: Context<AppEnv>, name: string): Promise<string[]> {
  const body = await c.req.parseBody({ all: true });
  const value = body[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === "string");
}

/** After a successful write: back to a page (303 so the browser GETs it). */
export const seeOther = (c: Context, path: string) => c.redirect(path, 303);
