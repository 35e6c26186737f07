import { Hono, type Context } from "hono";
import { refreshDeploymentsForWorkflow } from "../deployments/publish";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../errors";
import { forkWorkflow } from "../forks/service";
import { requestContext } from "../http/request-context";
import { parseOrThrow } from "../http/validate";
import { getLibraryEntry, addToLibrary, removeFromLibrary } from "../library/service";
import { browseQuery, MARKETPLACE_SORTS, searchQuery } from "../marketplace/schemas";
import { browseMarketplace, featuredIdsOf, featuredWorkflows, searchMarketplace } from "../marketplace/service";
import { rateWorkflowBody } from "../ratings/schemas";
import { getMyRating, rateWorkflow } from "../ratings/service";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { workflowStats } from "../workflows/dto";
import { Alert, Csrf, Pager } from "./components";
import { formFields, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { StepsSection, WorkflowFacts } from "./workflows";
import { dbOf } from "../db/session";

type Item = Awaited<ReturnType<typeof browseMarketplace>>["items"][number];

const stars = (rating: number | null, count: number) => (rating === null ? "No ratings yet" : `★ ${rating.toFixed(2)} (${count})`);

function ItemCard({ item }: { item: Item }) {
  return (
    <article class="card">
      <h3>
        <a href={`/marketplace/${encodeURIComponent(item.workflowId)}`}>{item.name}</a>
        {item.featured ? <span class="badge ok"> featured</span> : null}
      </h3>
      <p class="muted">by {item.ownerName}</p>
      {item.description ? <p>{item.description}</p> : null}
      <p class="row muted">
        <span>{stars(item.stats.rating, item.stats.ratingCount)}</span>
        <span>{item.stats.subscribers} subscribers</span>
        {item.category ? <span class="badge">{item.category}</span> : null}
      </p>
    </article>
  );
}


async function browsePage(c: Context<AppEnv>) {
  const q = (c.req.query("q") ?? "").trim();
  const category = (c.req.query("category") ?? "").trim();
  const sort = (MARKETPLACE_SORTS as readonly string[]).includes(c.req.query("sort") ?? "") ? c.req.query("sort")! : "popular";
  const cursor = c.req.query("cursor") || undefined;
  const raw = { limit: "24", ...(category ? { category } : {}), ...(cursor ? { cursor } : {}) };
  let page;
  try {
    page = q
      ? await searchMarketplace(dbOf(c), parseOrThrow(searchQuery, { ...raw, q }), featuredIdsOf(c.get("config")))
      : await browseMarketplace(dbOf(c), parseOrThrow(browseQuery, { ...raw, sort }), featuredIdsOf(c.get("config")));
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "VALIDATION_ERROR") throw err;
    return seeOther(c, "/marketplace");
  }
  const featured = q || category || cursor ? [] : await featuredWorkflows(dbOf(c), { limit: 6, now: c.get("clock").now(), featuredIds: featuredIdsOf(c.get("config")) });
  return render(
    c,
    "Marketplace",
    <>
      <h1>Marketplace</h1>
      <p class="sub">Public workflows from everyone. Subscribe to serve one from your deployments, or fork it to make it yours.</p>
      <form method="get" action="/marketplace" class="row compact" role="search">
        <div>
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value={q} maxlength={200} />
        </div>
        <div>
          <label for="category-filter">Category</label>
          <input id="category-filter" name="category" type="text" value={category} maxlength={50} />
        </div>
        <div>
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            {MARKETPLACE_SORTS.map((s) => (
              <option value={s} selected={s === sort}>
                {s === "popular" ? "Most popular" : s === "recent" ? "Most recent" : "Top rated"}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit">
            Search
          </button>
        </div>
      </form>
      {featured.length > 0 ? (
        <section aria-labelledby="featured-title">
          <h2 id="featured-title">Featured</h2>
          <div class="cards">
            {featured.map((item) => (
              <ItemCard item={item} />
            ))}
          </div>
        </section>
      ) : null}
      <section aria-labelledby="results-title">
        <h2 id="results-title">{q ? `Results for “${q}”` : category ? `Category: ${category}` : "All workflows"}</h2>
        {page.items.length === 0 ? (
          <p class="card muted">Nothing found.</p>
        ) : (
          <div class="cards">
            {page.items.map((item) => (
              <ItemCard item={item} />
            ))}
          </div>
        )}
        <Pager base="/marketplace" params={{ q, category, sort }} nextCursor={page.pagination.nextCursor} />
      </section>
    </>,
  );
}

/** Marketplace pages show public workflows (your own private ones live under Workflows). */
async function publicWorkflow(c: Context<AppEnv>) {
  const row = await getVisibleWorkflow(dbOf(c), c.req.param("id")!, c.get("user").id);
  if (row.visibility !== "public") throw notFound("Workflow", row.id);
  return row;
}

async function libraryEntryOrNull(c: Context<AppEnv>, workflowId: string) {
  try {
    return await getLibraryEntry(dbOf(c), c.get("user").id, workflowId);
  } catch (err) {
    if (err instanceof ApiError && err.code === "NOT_FOUND") return null;
    throw err;
  }
}

const back = (c: Context<AppEnv>) => seeOther(c, `/marketplace/${encodeURIComponent(c.req.param("id")!)}`);

export const marketplaceScreens = new Hono<AppEnv>()
  .get("/marketplace", signedIn, browsePage)
  .get("/marketplace/:id", signedIn, async (c) => {
    const row = await publicWorkflow(c);
    const [manifest, entry, myRating] = await Promise.all([
      getManifest(dbOf(c), row.id, row.currentVersion),
      libraryEntryOrNull(c, row.id),
      getMyRating(dbOf(c), c.get("user").id, row.id).catch(() => null),
    ]);
    const mine = row.ownerId === c.get("user").id;
    const csrf = sessionOf(c).csrfToken;
    const id = encodeURIComponent(row.id);
    const stats = workflowStats(row);
    const current = (myRating as { rating?: number | null } | null)?.rating ?? null;
    return render(
      c,
      row.name,
      <>
        <h1>{row.name}</h1>
        {row.description ? <p class="sub">{row.description}</p> : null}
        <WorkflowFacts row={row} />
        <p class="row muted">
          <span>{stars(stats.rating, stats.ratingCount)}</span>
          <span>{stats.subscribers} subscribers</span>
          <span>{stats.forks} forks</span>
        </p>
        <div class="row">
          {mine ? (
            <span class="muted">This is your workflow.</span>
          ) : entry ? (
            <>
              <span class="badge ok">Subscribed</span>
              <form method="post" action={`/marketplace/${id}/unsubscribe`} class="inline">
                <Csrf token={csrf} />
                <button type="submit">Remove from library</button>
              </form>
            </>
          ) : (
            <form method="post" action={`/marketplace/${id}/subscribe`} class="inline">
              <Csrf token={csrf} />
              <button type="submit" class="primary">
                Subscribe
              </button>
            </form>
          )}
          <form method="post" action={`/marketplace/${id}/fork`} class="inline">
            <Csrf token={csrf} />
            <button type="submit">Fork</button>
          </form>
        </div>
        {mine ? null : (
          <form method="post" action={`/marketplace/${id}/rating`} data-autosubmit="">
            <Csrf token={csrf} />
            <fieldset class="row">
              <legend>Your rating</legend>
              {[1, 2, 3, 4, 5].map((n) => (
                <label class="check">
                  <input type="radio" name="rating" value={String(n)} checked={current === n} required />
                  {`${n} star${n > 1 ? "s" : ""}`}
                </label>
              ))}
              <button type="submit">Rate</button>
            </fieldset>
          </form>
        )}
        {entry && !entry.autoUpdate ? <Alert>Your library pins version {entry.workflowVersion}.</Alert> : null}
        <StepsSection manifest={manifest} />
      </>,
    );
  })
  .post("/marketplace/:id/subscribe", ...signedInWrite, async (c) => {
    const row = await publicWorkflow(c);
    await addToLibrary(requestContext(c), row.id, {});
    await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, row.id, c.get("clock").now(), c.get("user").id);
    return back(c);
  })
  .post("/marketplace/:id/unsubscribe", ...signedInWrite, async (c) => {
    await removeFromLibrary(requestContext(c), c.req.param("id"));
    await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, c.req.param("id"), c.get("clock").now(), c.get("user").id);
    return back(c);
  })
  .post("/marketplace/:id/fork", ...signedInWrite, async (c) => {
    const ctx = { ...requestContext(c), user: c.get("user"), upgradeUrl: c.get("config").UPGRADE_URL };
    const fork = await forkWorkflow(ctx, c.req.param("id"), {});
    return seeOther(c, `/workflows/${encodeURIComponent(fork.workflowId)}`);
  })
  .post("/marketplace/:id/rating", ...signedInWrite, async (c) => {
    const rating = Number((await formFields(c)).rating);
    await rateWorkflow(requestContext(c), c.req.param("id"), parseOrThrow(rateWorkflowBody, { rating }));
    return back(c);
  });
