import { Hono } from "hono";
import { userOfCredential, verifyCredentialValue } from "../auth/middleware";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { expectedOrigin, isSameOriginRequest, sessionUser, signIn, signOut } from "../session";
import { finishOidcLogin, oidcLoginConfigured, startOidcLogin } from "../session/oidc";
import { Alert } from "./components";
import { formFields, render, safeReturnPath, seeOther } from "./http";

function SignInPage({ returnTo, oidc, error, local }: { returnTo: string; oidc: boolean; error?: string; local: boolean }) {
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Hydra Edge</h1>
      {oidc ? (
        <form method="get" action="/sign-in/oidc">
          <p class="sub">You will continue at your organisation's sign-in page and come straight back.</p>
          {error ? <Alert kind="bad">{error}</Alert> : null}
          <input type="hidden" name="return_to" value={returnTo} />
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      ) : (
        <form method="post" action="/sign-in">
          <p class="sub">Paste a token or an API key. It is checked once; the browser then keeps a session cookie.</p>
          <input type="hidden" name="return_to" value={returnTo} />
          <label for="token">Token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            required
            aria-describedby={error ? "token-hint token-error" : "token-hint"}
            aria-invalid={error ? "true" : undefined}
          />
          {error ? (
            <p class="error" id="token-error">
              {error}
            </p>
          ) : null}
          <p class="hint" id="token-hint">
            {local ? (
              <>
                A dev token (<code>npm run -s token -- --sub alice</code>) or an API key (<code>hk_…</code>).
              </>
            ) : (
              <>
                An API key (<code>hk_…</code>) from the API keys page.
              </>
            )}
          </p>
          <p>
            <button type="submit" class="primary">
              Sign in
            </button>
          </p>
        </form>
      )}
    </section>
  );
}

const returnPathOf = (c: { req: { query(k: string): string | undefined } }, origin: string, raw?: string) =>
  safeReturnPath(raw ?? c.req.query("return_to"), origin);

export const signInRoutes = new Hono<AppEnv>()
  .get("/sign-in", async (c) => {
    const origin = new URL(c.req.url).origin;
    const returnTo = returnPathOf(c, origin);
    if (await sessionUser(c)) return seeOther(c, returnTo);
    const oidc = oidcLoginConfigured(c.get("config"));
    return render(c, "Sign in", <SignInPage returnTo={returnTo} oidc={oidc} local={c.get("config").ENVIRONMENT !== "production"} />);
  })
  .post("/sign-in", async (c) => {
    const origin = new URL(c.req.url).origin;
    // Login CSRF: a foreign page must not sign the browser into someone else's account.
    if (!isSameOriginRequest(c)) throw new ApiError("FORBIDDEN", "Cross-site request refused");
    const form = await formFields(c);
    const returnTo = returnPathOf(c, origin, form.return_to);
    const token = (form.token ?? "").trim();
    const local = c.get("config").ENVIRONMENT !== "production";
    const oidc = oidcLoginConfigured(c.get("config"));
    try {
      if (!token) throw new ApiError("UNAUTHORIZED", "Enter a token or API key");
      const credential = await verifyCredentialValue(c, token);
      const userId = (await userOfCredential(c, credential)).id;
      await signIn(c, userId);
      return seeOther(c, returnTo);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "UNAUTHORIZED") throw err;
      return render(c, "Sign in", <SignInPage returnTo={returnTo} oidc={oidc} local={local} error={err.message} />);
    }
  })
  .get("/sign-in/oidc", async (c) => {
    if (!oidcLoginConfigured(c.get("config"))) return seeOther(c, "/sign-in");
    const origin = expectedOrigin(c);
    return c.redirect(await startOidcLogin(c, origin, returnPathOf(c, new URL(c.req.url).origin)), 302);
  })
  .get("/sign-in/callback", async (c) => {
    if (!oidcLoginConfigured(c.get("config"))) return seeOther(c, "/sign-in");
    const outcome = await finishOidcLogin(c, expectedOrigin(c));
    if (!outcome.ok) {
      return render(c, "Sign in", <SignInPage returnTo="/" oidc local={false} error={outcome.message} />);
    }
    await signIn(c, outcome.userId);
    return seeOther(c, safeReturnPath(outcome.returnTo, new URL(c.req.url).origin));
  })
  .post("/sign-out", async (c) => {
    // Signing out is a write too: same origin, and the session's CSRF token when there is a session.
    if (!isSameOriginRequest(c)) throw new ApiError("FORBIDDEN", "Cross-site request refused");
    const session = await sessionUser(c);
    if (session) {
      const form = await formFields(c);
      if (form._csrf !== session.csrfToken && c.req.header("X-CSRF-Token") !== session.csrfToken) {
        throw new ApiError("FORBIDDEN", "Missing or invalid CSRF token; reload the page and try again");
      }
      await signOut(c);
    }
    return seeOther(c, "/sign-in");
  });
