import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { BASE, api } from "./helpers/http";
import { createWorkflow } from "./helpers/workflows";
import { createApp } from "../src/app";

/** A browser-like request: form posts carry Origin, pages ask for HTML. */
async function browser(method: string, path: string, opts: { cookie?: string; form?: Record<string, string>; origin?: string | null; accept?: string } = {}) {
  const headers = new Headers({ Accept: opts.accept ?? "text/html,application/xhtml+xml" });
  if (opts.cookie) headers.set("Cookie", opts.cookie);
  if (opts.origin !== null && method !== "GET") headers.set("Origin", opts.origin ?? BASE);
  let body: string | undefined;
  if (opts.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body, redirect: "manual" }));
  return { res, text: await res.text() };
}

async function signedIn(label = "dash") {
  const user = await newUser(label);
  const { res } = await browser("POST", "/sign-in", { form: { token: user.token, return_to: "/workflows" } });
  expect(res.status).toBe(303);
  expect(res.headers.get("Location")).toBe("/workflows");
  const setCookie = res.headers.get("Set-Cookie")!;
  const cookie = setCookie.split(";")[0]!;
  const page = await browser("GET", "/workflows", { cookie });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  return { ...user, cookie, setCookie, csrf };
}

describe("dashboard session", () => {
  it("signs in with a dev token: an HttpOnly, SameSite=Lax, expiring cookie; Secure on https", async () => {
    const u = await signedIn();
    expect(u.setCookie).toMatch(/^hydra_session=[A-Za-z0-9]{43};/);
    expect(u.setCookie).toContain("HttpOnly");
    expect(u.setCookie).toContain("SameSite=Lax");
    expect(u.setCookie).toContain("Secure");
    expect(u.setCookie).toMatch(/Expires=/);
    // Only the hash of the cookie's id is stored.
    const id = u.cookie.split("=")[1]!;
    const rows = await env.DB.prepare("SELECT id_hash FROM dashboard_sessions WHERE user_id = ?").bind(u.sub).all<{ id_hash: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]!.id_hash).not.toBe(id);
    expect(rows.results[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("signs in with an hk_ API key too, and rejects a bad token on the page", async () => {
    const user = await newUser("keyed");
    const key = (await api("POST", "/v1/api-keys", { token: user.token, body: { name: "browser" } })).body.data.key as string;
    const ok = await browser("POST", "/sign-in", { form: { token: key } });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get("Set-Cookie")).toContain("hydra_session=");
    const bad = await browser("POST", "/sign-in", { form: { token: "not-a-token" } });
    expect(bad.res.headers.get("Set-Cookie")).toBeNull();
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain('id="token-error"');
  });

  it("redirects signed-out browsers to sign-in with return_to, and only to same-origin paths afterwards", async () => {
    const { res } = await browser("GET", "/deployments?x=1");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/sign-in?return_to=%2Fdeployments%3Fx%3D1");
    const user = await newUser("ret");
    for (const evil of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const r = await browser("POST", "/sign-in", { form: { token: user.token, return_to: evil } });
      expect(r.res.headers.get("Location")).toBe("/");
    }
  });

  it("refuses a cross-site sign-in (login CSRF)", async () => {
    const user = await newUser("x");
    const { res } = await browser("POST", "/sign-in", { form: { token: user.token }, origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("sign out revokes the session server-side: the old cookie no longer works", async () => {
    const u = await signedIn();
    const out = await browser("POST", "/sign-out", { cookie: u.cookie, form: { _csrf: u.csrf } });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get("Set-Cookie")).toMatch(/hydra_session=;.*Max-Age=0/);
    const again = await browser("GET", "/workflows", { cookie: u.cookie });
    expect(again.res.status).toBe(303);
    expect(again.res.headers.get("Location")).toContain("/sign-in");
  });

  it("an expired session is not accepted", async () => {
    const u = await signedIn();
    await env.DB.prepare("UPDATE dashboard_sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ?").bind(u.sub).run();
    const { res } = await browser("GET", "/workflows", { cookie: u.cookie });
    expect(res.status).toBe(303);
  });

  it("the API keeps Bearer auth and ignores the cookie", async () => {
    const u = await signedIn();
    const res = await exports.default.fetch(new Request(`${BASE}/v1/users/me`, { headers: { Cookie: u.cookie } }));
    expect(res.status).toBe(401);
    expect((await api("GET", "/v1/users/me", { token: u.token })).status).toBe(200);
  });
});

describe("dashboard CSRF", () => {
  const manifest = JSON.stringify({ manifest_version: "1.0", name: "W", steps: [{ id: "a", name: "A", action: "analyze_code" }] });
  const form = (csrf?: string) => ({ ...(csrf ? { _csrf: csrf } : {}), name: "Made by form", visibility: "private", manifest });

  it("rejects a write without the token, with a wrong token, or from another origin; accepts the real one", async () => {
    const u = await signedIn();
    expect((await browser("POST", "/workflows/new", { cookie: u.cookie, form: form() })).res.status).toBe(403);
    expect((await browser("POST", "/workflows/new", { cookie: u.cookie, form: form("x".repeat(32)) })).res.status).toBe(403);
    expect((await browser("POST", "/workflows/new", { cookie: u.cookie, form: form(u.csrf), origin: "https://evil.example" })).res.status).toBe(403);
    expect((await api("GET", "/v1/workflows", { token: u.token })).body.data).toHaveLength(0);
    const ok = await browser("POST", "/workflows/new", { cookie: u.cookie, form: form(u.csrf) });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get("Location")).toMatch(/^\/workflows\/wf_/);
  });

  it("accepts the token in the X-CSRF-Token header", async () => {
    const u = await signedIn();
    const res = await exports.default.fetch(
      new Request(`${BASE}/api-keys`, {
        method: "POST",
        headers: { Cookie: u.cookie, Origin: BASE, "X-CSRF-Token": u.csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: "name=ci",
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/hk_[A-Za-z0-9]{40}/);
  });
});

describe("dashboard pages", () => {
  it("sends a strict CSP and no inline script, style or handler", async () => {
    const u = await signedIn();
    for (const path of ["/", "/workflows", "/workflows/new", "/marketplace", "/library", "/deployments", "/deployments/new", "/runs", "/api-keys", "/billing", "/account", "/docs"]) {
      const { res, text } = await browser("GET", path, { cookie: u.cookie });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(text, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(text, path).not.toMatch(/\son[a-z]+=/i);
      expect(text, path).not.toMatch(/\sstyle=/i);
    }
  });

  it("has a navigation landmark with the seven links", async () => {
    const u = await signedIn();
    const { text } = await browser("GET", "/", { cookie: u.cookie });
    const nav = /<nav aria-label="Main">([\s\S]*?)<\/nav>/.exec(text)![1]!;
    const links = [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      ["/workflows", "Workflows"],
      ["/marketplace", "Marketplace"],
      ["/library", "Library"],
      ["/deployments", "Deployments"],
      ["/runs", "Runs"],
      ["/api-keys", "API keys"],
      ["/billing", "Billing"],
    ]);
  });

  it("escapes user text written by other users (name and description)", async () => {
    const owner = await newUser("owner");
    const evil = "<img src=x onerror=alert(1)>";
    const wf = await createWorkflow(owner.token, { name: evil, description: `<script>alert(2)</script>`, visibility: "public" });
    const u = await signedIn("viewer");
    for (const path of [`/marketplace/${wf.workflowId}`, `/marketplace?q=onerror`, "/marketplace"]) {
      const { text } = await browser("GET", path, { cookie: u.cookie });
      expect(text, path).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(text, path).not.toContain("<img src=x");
      expect(text, path).not.toContain("<script>alert(2)");
    }
  });

  it("shows manifest problems next to the Manifest field with their path", async () => {
    const u = await signedIn();
    const manifest = JSON.stringify({
      manifest_version: "1.0",
      name: "W",
      steps: [
        { id: "a", name: "A", action: "analyze_code" },
        { id: "b", name: "B", action: "code_agent", depends_on: ["ghost"] },
      ],
    });
    const { res, text } = await browser("POST", "/workflows/new", { cookie: u.cookie, form: { _csrf: u.csrf, name: "W", visibility: "private", manifest } });
    expect(res.status).toBe(200);
    const error = /<div class="error" id="manifest-error">([\s\S]*?)<\/div>/.exec(text)![1]!;
    expect(error).toContain("<code>steps.1.depends_on.0</code>");
    expect(text).toMatch(/<textarea id="manifest"[^>]*aria-invalid="true"/);
    expect((await api("GET", "/v1/workflows", { token: u.token })).body.data).toHaveLength(0);
  });

  it("hides other users' private workflows (404 page)", async () => {
    const owner = await newUser("owner");
    const wf = await createWorkflow(owner.token, { visibility: "private" });
    const u = await signedIn("other");
    for (const path of [`/workflows/${wf.workflowId}`, `/marketplace/${wf.workflowId}`, `/workflows/${wf.workflowId}/edit`]) {
      const { res, text } = await browser("GET", path, { cookie: u.cookie });
      expect(res.status, path).toBe(404);
      expect(text).toContain("Page not found");
    }
  });

  it("serves its assets from the Worker", async () => {
    for (const [path, type] of [["/assets/dashboard.js", "text/javascript"], ["/assets/dashboard.css", "text/css"]] as const) {
      const { res } = await browser("GET", path);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toContain(type);
    }
  });
});

describe("unknown paths", () => {
  it("a browser gets the dashboard's 404 page; other clients the JSON envelope", async () => {
    const page = await browser("GET", "/no/such/page");
    expect(page.res.status).toBe(404);
    expect(page.res.headers.get("Content-Type")).toContain("text/html");
    expect(page.text).toContain("Page not found");
    expect(page.res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    for (const accept of ["application/json", "*/*"]) {
      const res = await exports.default.fetch(new Request(`${BASE}/no/such/page`, { headers: { Accept: accept } }));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
    const api404 = await api("GET", "/v1/nope", { token: (await newUser("json")).token, headers: { Accept: "application/json" } });
    expect(api404.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  });

  it("API routes are not shadowed: /runs/{id}/events stays the runtime's, /openapi.json and /health answer JSON", async () => {
    const u = await newUser("api");
    const res = await api("GET", "/runs/00000000-0000-4000-8000-000000000000/events", { token: u.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    expect((await api("GET", "/openapi.json")).body.openapi).toBe("3.1.0");
  });
});

describe("run streams by cookie", () => {
  it("a signed-in browser reads its own run's SSE stream without an Authorization header, not someone else's", async () => {
    const u = await signedIn("runner");
    const started = await browser("POST", "/runs/new", { cookie: u.cookie, form: { _csrf: u.csrf, intent: "Summarise the README" } });
    expect(started.res.status).toBe(303);
    const runPath = started.res.headers.get("Location")!;
    const res = await exports.default.fetch(new Request(`${BASE}${runPath}/events`, { headers: { Cookie: u.cookie } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/event-stream");
    await res.body?.cancel();
    const other = await signedIn("intruder");
    const denied = await exports.default.fetch(new Request(`${BASE}${runPath}/events`, { headers: { Cookie: other.cookie } }));
    expect(denied.status).toBe(404);
    const anonymous = await exports.default.fetch(new Request(`${BASE}${runPath}/events`));
    expect(anonymous.status).toBe(401);
  });
});

describe("runtime calls from pages", () => {
  it("refused params and refused calls show the runtime's own message on a 400 page", async () => {
    const u = await signedIn("refused");
    const empty = await browser("POST", "/runs/new", { cookie: u.cookie, form: { _csrf: u.csrf, intent: "   " } });
    expect(empty.res.status).toBe(400);
    expect(empty.text).toContain("That did not work");
    expect(empty.text).toContain("intent must not be empty");
    const missing = "00000000-0000-4000-8000-000000000000";
    const cancel = await browser("POST", `/runs/${missing}/cancel`, { cookie: u.cookie, form: { _csrf: u.csrf } });
    expect(cancel.res.status).toBe(400);
    expect(cancel.text).toContain(`Run &#39;${missing}&#39; was not found`);
  });
});

describe("hosted login (OIDC authorization code + PKCE)", () => {
  const oidcEnv = {
    ...env,
    OIDC_AUTHORIZE_URL: "https://login.issuer.test/oauth2/authorize",
    OIDC_TOKEN_URL: "https://login.issuer.test/oauth2/token",
    OIDC_CLIENT_ID: "hydra-dashboard",
  };
  const call = (path: string, headers: Record<string, string> = {}) =>
    createApp().fetch(new Request(`${BASE}${path}`, { headers: { Accept: "text/html", ...headers }, redirect: "manual" }), oidcEnv);

  it("the sign-in page offers the provider's login, which gets state and an S256 challenge", async () => {
    const page = await (await call("/sign-in?return_to=/deployments")).text();
    expect(page).toContain('action="/sign-in/oidc"');
    expect(page).not.toContain('name="token"');
    const res = await call("/sign-in/oidc?return_to=/deployments");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("Location")!);
    expect(to.origin + to.pathname).toBe("https://login.issuer.test/oauth2/authorize");
    expect(to.searchParams.get("response_type")).toBe("code");
    expect(to.searchParams.get("client_id")).toBe("hydra-dashboard");
    expect(to.searchParams.get("redirect_uri")).toBe(`${BASE}/sign-in/callback`);
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^hydra_oidc=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain(`hydra_oidc=${to.searchParams.get("state")}.`);
    // The provider's origin is the only extra form target the CSP allows.
    expect((await call("/sign-in")).headers.get("Content-Security-Policy")).toContain("form-action 'self' https://login.issuer.test");
  });

  it("a callback whose state does not match the cookie starts no session", async () => {
    const start = await call("/sign-in/oidc");
    const oidcCookie = start.headers.get("Set-Cookie")!.split(";")[0]!;
    const res = await call("/sign-in/callback?code=abc&state=forged", { Cookie: oidcCookie });
    expect(res.headers.get("Set-Cookie") ?? "").not.toContain("hydra_session=");
    expect(await res.text()).toContain("expired or did not start here");
  });
});
