import { Hono, type Context } from "hono";
import { createApiKeyBody } from "../api-keys/schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/service";
import { checkoutBody, portalBody } from "../billing/schemas";
import { getSubscription, openPortal, startCheckout } from "../billing/service";
import { PRICE_KEY_NAMES, isStripeConfigured, stripeClientOf, stripePriceFor } from "../billing/stripe";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { parseOrThrow } from "../http/validate";
import { PLANS } from "../plans";
import { signOut } from "../session";
import { revokeUserSessions } from "../session/store";
import { accountDeletionDeps, deleteAccount } from "../users/deletion";
import { updateProfileBody } from "../users/schemas";
import { getUserProfile, updateProfile } from "../users/service";
import { Alert, Badge, CopyBlock, Csrf, formatDate, DataTable } from "./components";
import { formFields, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { dbOf } from "../db/session";

async function apiKeysPage(c: Context<AppEnv>, created?: { name: string; key: string }, error?: string) {
  const keys = await listApiKeys(dbOf(c), c.get("user").id);
  const csrf = sessionOf(c).csrfToken;
  return render(
    c,
    "API keys",
    <>
      <h1>API keys</h1>
      <p class="sub">
        Keys (<code>hk_…</code>) authenticate scripts, CI and IDEs as you, and never expire. Only a hash is stored.
      </p>
      {created ? (
        <Alert kind="good">
          <p>
            <strong>{created.name}</strong> was created. Copy it now: it is shown only once.
          </p>
          <CopyBlock id="new-api-key" text={created.key} label="New API key" />
        </Alert>
      ) : null}
      <form method="post" action="/api-keys" class="card">
        <Csrf token={csrf} />
        <label for="key-name">Name</label>
        <input id="key-name" name="name" type="text" required maxlength={100} placeholder="ci" aria-invalid={error ? "true" : undefined} aria-describedby={error ? "key-name-error" : undefined} />
        {error ? (
          <p class="error" id="key-name-error">
            {error}
          </p>
        ) : null}
        <p>
          <button type="submit" class="primary">
            Create key
          </button>
        </p>
      </form>
      {keys.length === 0 ? (
        <p class="card muted">No API keys.</p>
      ) : (
        <DataTable head={["Name", "Key", "Created", "Last used", <span class="visually-hidden">Actions</span>]}>
          {keys.map((k) => (
            <tr>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{formatDate(k.createdAt)}</td>
              <td>{formatDate(k.lastUsedAt)}</td>
              <td>
                <form method="post" action={`/api-keys/${encodeURIComponent(k.id)}/revoke`} class="inline">
                  <Csrf token={csrf} />
                  <button type="submit" class="danger" aria-describedby={`key-${k.id}`}>
                    Revoke
                  </button>
                  <span id={`key-${k.id}`} class="visually-hidden">
                    {k.name}
                  </span>
                </form>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>,
    200,
  );
}

function billingPage(c: Context<AppEnv>, sub: Awaited<ReturnType<typeof getSubscription>>, usage: { workflows: number; deployments: number }, error?: string) {
  const configured = isStripeConfigured(c.get("config"));
  const csrf = sessionOf(c).csrfToken;
  const prices = PRICE_KEY_NAMES.filter((k) => stripePriceFor(c.get("config"), k));
  const limits = PLANS[sub.plan].limits;
  const fmt = (v: number | null) => (v === null ? "unlimited" : v.toLocaleString("en-US"));
  return render(
    c,
    "Billing",
    <>
      <h1>Billing</h1>
      <p class="sub">
        You are on the <strong>{sub.plan}</strong> plan{sub.status ? <> (subscription {sub.status})</> : null}
        {sub.currentPeriodEnd ? <>, renewing {formatDate(sub.currentPeriodEnd)}</> : null}.
      </p>
      {error ? <Alert kind="bad">{error}</Alert> : null}
      <DataTable head={["Limit", "Used", "Plan limit"]}>
        <tr>
          <td>Workflows</td>
          <td>{usage.workflows}</td>
          <td>{fmt(limits.workflows)}</td>
        </tr>
        <tr>
          <td>Deployments</td>
          <td>{usage.deployments}</td>
          <td>{fmt(limits.deployments)}</td>
        </tr>
        <tr>
          <td>MCP connections per month (per deployment)</td>
          <td>—</td>
          <td>{fmt(limits.connectionsPerMonth)}</td>
        </tr>
        <tr>
          <td>API requests</td>
          <td>—</td>
          <td>
            {PLANS[sub.plan].rateLimit.perMinute}/min, {PLANS[sub.plan].rateLimit.perHour.toLocaleString("en-US")}/hour
          </td>
        </tr>
      </DataTable>
      {configured ? (
        <div class="row">
          {prices.length > 0 ? (
            <form method="post" action="/billing/checkout" class="row compact">
              <Csrf token={csrf} />
              <label for="price" class="visually-hidden">
                Plan
              </label>
              <select id="price" name="priceId">
                {prices.map((p) => (
                  <option value={p}>{p.replace("_", " ")}</option>
                ))}
              </select>
              <button type="submit" class="primary">
                Upgrade
              </button>
            </form>
          ) : null}
          <form method="post" action="/billing/portal" class="inline">
            <Csrf token={csrf} />
            <button type="submit">Manage billing</button>
          </form>
        </div>
      ) : (
        <Alert>Billing is not configured on this server, so plans cannot be changed here. Every feature works on the current plan.</Alert>
      )}
    </>,
    200,
  );
}

async function billingData(c: Context<AppEnv>) {
  const [sub, profile] = await Promise.all([getSubscription(dbOf(c), c.get("user")), getUserProfile(dbOf(c), c.get("user").id)]);
  return { sub, usage: { workflows: profile?.workflowCount ?? 0, deployments: profile?.deploymentCount ?? 0 } };
}

async function billingFailure(c: Context<AppEnv>, err: unknown) {
  if (!(err instanceof ApiError) || err.code === "INTERNAL_ERROR") throw err;
  const { sub, usage } = await billingData(c);
  return billingPage(c, sub, usage, err.message);
}

function AccountPage({ c, profile, error }: { c: Context<AppEnv>; profile: NonNullable<Awaited<ReturnType<typeof getUserProfile>>>; error?: string }) {
  const csrf = sessionOf(c).csrfToken;
  return (
    <>
      <h1>Account</h1>
      <p class="sub">
        User id <code>{profile.userId}</code>
        {profile.email ? <> · {profile.email}</> : null} · <Badge value={profile.plan} />
      </p>
      <form method="post" action="/account" class="card">
        <Csrf token={csrf} />
        <label for="display-name">Display name</label>
        <input id="display-name" name="displayName" type="text" maxlength={100} value={profile.displayName ?? ""} aria-describedby="display-name-hint" />
        <p class="hint" id="display-name-hint">
          Shown as the owner of your public workflows. Leave empty to show your user id.
        </p>
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
      <section class="card" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete account</h2>
        <p>
          Deletes your workflows, deployments, library, API keys, runs and billing records, and cancels any subscription. This cannot be undone.
        </p>
        {error ? <Alert kind="bad">{error}</Alert> : null}
        <form method="post" action="/account/delete">
          <Csrf token={csrf} />
          <label for="confirm-delete">
            Type <code>{profile.userId}</code> to confirm
          </label>
          <input id="confirm-delete" name="confirm" type="text" autocomplete="off" data-confirm-value={profile.userId} data-confirm-button="delete-account" />
          <p>
            <button type="submit" id="delete-account" class="danger">
              Delete account
            </button>
          </p>
        </form>
      </section>
    </>
  );
}

export const accountScreens = new Hono<AppEnv>()
  .get("/api-keys", signedIn, (c) => apiKeysPage(c))
  .post("/api-keys", ...signedInWrite, async (c) => {
    const parsed = createApiKeyBody.safeParse({ name: (await formFields(c)).name ?? "" });
    if (!parsed.success) return apiKeysPage(c, undefined, "Give the key a name (up to 100 characters).");
    const created = await createApiKey(dbOf(c), c.get("user").id, parsed.data.name, c.get("ids").create("key"), c.get("clock").now());
    return apiKeysPage(c, created);
  })
  .post("/api-keys/:id/revoke", ...signedInWrite, async (c) => {
    if (!(await revokeApiKey(dbOf(c), c.get("user").id, c.req.param("id")))) throw notFound("API key", c.req.param("id"));
    return seeOther(c, "/api-keys");
  })
  .get("/billing", signedIn, async (c) => {
    const { sub, usage } = await billingData(c);
    return billingPage(c, sub, usage);
  })
  .post("/billing/checkout", ...signedInWrite, async (c) => {
    try {
      const origin = new URL(c.req.url).origin;
      const input = parseOrThrow(checkoutBody(c.get("config")), {
        priceId: (await formFields(c)).priceId,
        successUrl: `${origin}/billing?checkout=success`,
        cancelUrl: `${origin}/billing`,
      });
      const stripe = stripeClientOf(c);
      const { checkoutUrl } = await startCheckout(dbOf(c), stripe, c.get("config"), c.get("user"), input, c.get("clock").now());
      return c.redirect(checkoutUrl, 303);
    } catch (err) {
      return billingFailure(c, err);
    }
  })
  .post("/billing/portal", ...signedInWrite, async (c) => {
    try {
      const { returnUrl } = parseOrThrow(portalBody(c.get("config")), { returnUrl: `${new URL(c.req.url).origin}/billing` });
      const stripe = stripeClientOf(c);
      const { portalUrl } = await openPortal(dbOf(c), stripe, c.get("user").id, returnUrl);
      return c.redirect(portalUrl, 303);
    } catch (err) {
      return billingFailure(c, err);
    }
  })
  .get("/account", signedIn, async (c) => {
    const profile = await getUserProfile(dbOf(c), c.get("user").id);
    if (!profile) throw notFound("User");
    return render(c, "Account", <AccountPage c={c} profile={profile} />);
  })
  .post("/account", ...signedInWrite, async (c) => {
    const raw = ((await formFields(c)).displayName ?? "").trim();
    await updateProfile(dbOf(c), c.get("user").id, parseOrThrow(updateProfileBody, { displayName: raw === "" ? null : raw }), c.get("clock").now());
    return seeOther(c, "/account");
  })
  .post("/account/delete", ...signedInWrite, async (c) => {
    if ((await formFields(c)).confirm !== c.get("user").id) {
      const profile = (await getUserProfile(dbOf(c), c.get("user").id))!;
      return render(c, "Account", <AccountPage c={c} profile={profile} error="The confirmation did not match your user id; nothing was deleted." />);
    }
    await deleteAccount(
      accountDeletionDeps(c),
      c.get("user").id,
    );
    await revokeUserSessions(dbOf(c), c.get("user").id);
    await signOut(c);
    return seeOther(c, "/sign-in");
  });
