import { Hono } from "hono";
import { refreshDeploymentsForWorkflow } from "../deployments/publish";
import type { AppEnv } from "../env";
import { requestContext } from "../http/request-context";
import { parseOrThrow } from "../http/validate";
import { ADAPTERS } from "../manifest/schema";
import { updateLibraryEntryBody } from "../library/schemas";
import { listLibrary, updateLibraryEntry } from "../library/service";
import { Badge, Csrf, Pager, formatDate } from "./components";
import { formFields, formList, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { dbOf } from "../db/session";

export const libraryScreens = new Hono<AppEnv>()
  .get("/library", signedIn, async (c) => {
    const cursor = c.req.query("cursor") || undefined;
    const page = await listLibrary(dbOf(c), c.get("user").id, { limit: 50, activeOnly: false, ...(cursor ? { cursor } : {}) }).catch(() => null);
    if (!page) return seeOther(c, "/library");
    const csrf = sessionOf(c).csrfToken;
    return render(
      c,
      "Library",
      <>
        <h1>Library</h1>
        <p class="sub">
          Workflows you own, subscribed to or forked. Active entries with their adapters are what your deployments serve; with auto-update
          off an entry stays on its pinned version.
        </p>
        {page.items.length === 0 ? (
          <p class="card muted">
            Your library is empty. <a href="/marketplace">Browse the marketplace</a>.
          </p>
        ) : (
          page.items.map((e) => {
            const key = e.workflowId.replace(/[^A-Za-z0-9_-]/g, "");
            return (
              <form method="post" action={`/library/${encodeURIComponent(e.workflowId)}`} class="card" data-autosubmit="" aria-labelledby={`lib-${key}`}>
                <Csrf token={csrf} />
                <div class="bar">
                  <h2 id={`lib-${key}`}>
                    <a href={`/workflows/${encodeURIComponent(e.workflowId)}`}>{e.workflowName}</a>
                  </h2>
                  <span class="row">
                    <Badge value={e.sourceType} />
                    <span>{e.autoUpdate ? `v${e.workflowVersion} (latest)` : `Pinned to v${e.workflowVersion}`}</span>
                  </span>
                </div>
                <div class="row">
                  <label class="check">
                    <input type="checkbox" name="isActive" value="true" checked={e.isActive} /> Active
                  </label>
                  <label class="check">
                    <input type="checkbox" name="autoUpdate" value="true" checked={e.autoUpdate} /> Auto-update
                  </label>
                  <fieldset class="row">
                    <legend>Adapters</legend>
                    {ADAPTERS.map((a) => (
                      <label class="check">
                        <input type="checkbox" name="enabledAdapters" value={a} checked={e.enabledAdapters.includes(a)} /> {a}
                      </label>
                    ))}
                  </fieldset>
                  <button type="submit">Save</button>
                </div>
                <p class="hint">Added {formatDate(e.addedAt)}</p>
              </form>
            );
          })
        )}
        <Pager base="/library" params={{}} nextCursor={page.pagination.nextCursor} />
      </>,
    );
  })
  .post("/library/:workflowId", ...signedInWrite, async (c) => {
    const form = await formFields(c);
    const input = parseOrThrow(updateLibraryEntryBody, {
      isActive: form.isActive === "true",
      autoUpdate: form.autoUpdate === "true",
      enabledAdapters: await formList(c, "enabledAdapters"),
    });
    await updateLibraryEntry(requestContext(c), c.req.param("workflowId"), input);
    await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, c.req.param("workflowId"), c.get("clock").now(), c.get("user").id);
    return seeOther(c, "/library");
  });
