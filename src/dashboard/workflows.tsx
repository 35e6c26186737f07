import { Hono, type Context } from "hono";
import { assertWithinPlanLimit } from "../billing/limits";
import { deploymentIdsServing, refreshDeployments, refreshDeploymentsForWorkflow } from "../deployments/publish";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { requestContext } from "../http/request-context";
import { getManifest, getOwnedWorkflow, getVisibleWorkflow } from "../workflows/access";
import { createWorkflowBody, updateWorkflowBody } from "../workflows/schemas";
import { createWorkflow, deleteWorkflow, listOwnWorkflows, listVersions, updateWorkflow } from "../workflows/service";
import type { WorkflowRow } from "../db/schema";
import { Badge, ConfirmDelete, Csrf, Pager, formatDate, DataTable } from "./components";
import { StepGraph, type GraphStep } from "./graph";
import { formFields, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { callRuntime } from "./runtime-calls";
import { WorkflowForm, emptyWorkflowForm, formValuesOf, parseWorkflowForm, type WorkflowFormValues } from "./workflow-form";
import { dbOf } from "../db/session";

export const manifestSteps = (manifest: Record<string, unknown>): (GraphStep & { action?: string; parameters?: unknown })[] =>
  Array.isArray(manifest.steps) ? (manifest.steps as (GraphStep & { action?: string })[]) : [];

/** Workflow header facts shared by the owner's page and the marketplace page. */
export function WorkflowFacts({ row }: { row: WorkflowRow }) {
  return (
    <p class="row">
      <Badge value={row.visibility} /> <span>v{row.currentVersion}</span>
      {row.category ? <span class="badge">{row.category}</span> : null}
      {row.tags.map((t) => (
        <span class="badge">#{t}</span>
      ))}
    </p>
  );
}

export function StepsSection({ manifest }: { manifest: Record<string, unknown> }) {
  const steps = manifestSteps(manifest);
  return (
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      <StepGraph steps={steps} label="Step graph" />
      <DataTable head={["Step", "Action", "Depends on"]}>
        {steps.map((s) => (
          <tr>
            <td>
              {s.name ?? s.id} <code class="muted">{s.id}</code>
            </td>
            <td>
              <code>{s.action ?? ""}</code>
            </td>
            <td>{(s.depends_on ?? []).join(", ") || "—"}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

const FILTERS = [
  ["", "All"],
  ["public", "Public"],
  ["private", "Private"],
] as const;

async function listPage(c: Context<AppEnv>) {
  const visibility = c.req.query("visibility");
  const filter = visibility === "public" || visibility === "private" ? visibility : undefined;
  const cursor = c.req.query("cursor") || undefined;
  let page;
  try {
    page = await listOwnWorkflows(dbOf(c), c.get("user").id, { limit: 20, cursor, visibility: filter });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return seeOther(c, "/workflows"); // a stale or tampered cursor starts over
  }
  return render(
    c,
    "Workflows",
    <>
      <div class="bar">
        <div>
          <h1>Workflows</h1>
          <p class="sub">Your workflows. Public ones are listed in the marketplace.</p>
        </div>
        <form method="get" action="/workflows/new">
          <button type="submit" class="primary">
            New workflow
          </button>
        </form>
      </div>
      <ul class="tabs" aria-label="Filter by visibility">
        {FILTERS.map(([value, label]) => (
          <li>
            <a href={value ? `/workflows?visibility=${value}` : "/workflows"} aria-current={(filter ?? "") === value ? "page" : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
      {page.items.length === 0 ? (
        <p class="card muted">{cursor ? "No more workflows." : "No workflows yet. Create one to get started."}</p>
      ) : (
        <DataTable head={["Name", "Visibility", "Version", "Updated"]}>
          {page.items.map((w) => (
            <tr>
              <td>
                <a href={`/workflows/${encodeURIComponent(w.workflowId)}`}>{w.name}</a>
                {w.description ? <div class="muted">{w.description}</div> : null}
              </td>
              <td>
                <Badge value={w.visibility} />
              </td>
              <td>{w.currentVersion}</td>
              <td>{formatDate(w.updatedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager base="/workflows" params={{ visibility: filter }} nextCursor={page.pagination.nextCursor} />
    </>,
  );
}

function formPage(c: Context<AppEnv>, opts: { title: string; action: string; values: WorkflowFormValues; issues?: { path: string; message: string }[]; message?: string; editing: boolean }) {
  return render(
    c,
    opts.title,
    <>
      <h1>{opts.title}</h1>
      <WorkflowForm action={opts.action} csrf={sessionOf(c).csrfToken} values={opts.values} issues={opts.issues ?? []} message={opts.message} editing={opts.editing} />
    </>,
    200, // a form with problems is shown again as a normal page (no browser console error)
  );
}

/** Plan limits and conflicts are shown above the form; other errors go to the error page. */
const formMessage = (err: unknown) => (err instanceof ApiError && ["PLAN_LIMIT_EXCEEDED", "CONFLICT", "FORBIDDEN"].includes(err.code) ? err : null);

const valuesFromRow = (row: WorkflowRow, manifest: unknown): WorkflowFormValues => ({
  name: row.name,
  description: row.description ?? "",
  visibility: row.visibility,
  category: row.category ?? "",
  tags: row.tags.join(", "),
  manifest: JSON.stringify(manifest, null, 2),
  changelog: "",
});

export const workflowScreens = new Hono<AppEnv>()
  .get("/workflows", signedIn, listPage)
  .get("/workflows/new", signedIn, (c) => formPage(c, { title: "New workflow", action: "/workflows/new", values: emptyWorkflowForm, editing: false }))
  .post("/workflows/new", ...signedInWrite, async (c) => {
    const values = formValuesOf(await formFields(c));
    const { input, issues } = parseWorkflowForm(values, createWorkflowBody);
    if (!input) return formPage(c, { title: "New workflow", action: "/workflows/new", values, issues, editing: false });
    try {
      await assertWithinPlanLimit(dbOf(c), c.get("user"), "workflows", c.get("config").UPGRADE_URL);
      const created = await createWorkflow(requestContext(c), input);
      return seeOther(c, `/workflows/${created.workflowId}`);
    } catch (err) {
      const shown = formMessage(err);
      if (!shown) throw err;
      return formPage(c, { title: "New workflow", action: "/workflows/new", values, message: shown.message, editing: false });
    }
  })
  .get("/workflows/:id", signedIn, async (c) => {
    const row = await getVisibleWorkflow(dbOf(c), c.req.param("id"), c.get("user").id);
    const [manifest, versions] = await Promise.all([getManifest(dbOf(c), row.id, row.currentVersion), listVersions(dbOf(c), row.id)]);
    const mine = row.ownerId === c.get("user").id;
    const csrf = sessionOf(c).csrfToken;
    const id = encodeURIComponent(row.id);
    return render(
      c,
      row.name,
      <>
        <div class="bar">
          <div>
            <h1>{row.name}</h1>
            {row.description ? <p class="sub">{row.description}</p> : null}
          </div>
          <div class="row">
            {mine ? (
              <a class="btn" href={`/workflows/${id}/edit`}>
                Edit
              </a>
            ) : null}
            {mine ? (
              <form method="post" action={`/workflows/${id}/visibility`} class="inline">
                <Csrf token={csrf} />
                <input type="hidden" name="visibility" value={row.visibility === "public" ? "private" : "public"} />
                <button type="submit">{row.visibility === "public" ? "Make private" : "Publish"}</button>
              </form>
            ) : null}
            <form method="post" action={`/workflows/${id}/run`} class="inline">
              <Csrf token={csrf} />
              <button type="submit" class="primary">
                Start run
              </button>
            </form>
          </div>
        </div>
        <WorkflowFacts row={row} />
        {row.visibility === "public" ? (
          <p>
            <a href={`/marketplace/${id}`}>View in the marketplace</a>
          </p>
        ) : null}
        <StepsSection manifest={manifest} />
        <section aria-labelledby="versions-title">
          <h2 id="versions-title">Version history</h2>
          <DataTable head={["Version", "Created", "Changelog"]}>
            {versions.map((v) => (
              <tr>
                <td>
                  {v.version}
                  {v.version === row.currentVersion ? " (current)" : ""}
                </td>
                <td>{formatDate(v.createdAt)}</td>
                <td>{v.changelog ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        </section>
        {mine ? (
          <ConfirmDelete
            action={`/workflows/${id}/delete`}
            csrf={csrf}
            summary="Delete this workflow…"
            explain="Deletes every version, its ratings and every library entry that points at it; deployments stop serving it. This cannot be undone."
            button="Delete workflow"
          />
        ) : null}
      </>,
    );
  })
  .get("/workflows/:id/edit", signedIn, async (c) => {
    const row = await getOwnedWorkflow(dbOf(c), c.req.param("id"), c.get("user").id);
    const manifest = await getManifest(dbOf(c), row.id, row.currentVersion);
    return formPage(c, { title: `Edit ${row.name}`, action: `/workflows/${encodeURIComponent(row.id)}/edit`, values: valuesFromRow(row, manifest), editing: true });
  })
  .post("/workflows/:id/edit", ...signedInWrite, async (c) => {
    const row = await getOwnedWorkflow(dbOf(c), c.req.param("id"), c.get("user").id);
    const action = `/workflows/${encodeURIComponent(row.id)}/edit`;
    const values = formValuesOf(await formFields(c));
    const { input, issues } = parseWorkflowForm(values, updateWorkflowBody);
    if (!input) return formPage(c, { title: `Edit ${row.name}`, action, values, issues, editing: true });
    try {
      await updateWorkflow(requestContext(c), row.id, input);
    } catch (err) {
      const shown = formMessage(err);
      if (!shown) throw err;
      return formPage(c, { title: `Edit ${row.name}`, action, values, message: shown.message, editing: true });
    }
    await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, row.id, c.get("clock").now());
    return seeOther(c, `/workflows/${encodeURIComponent(row.id)}`);
  })
  .post("/workflows/:id/visibility", ...signedInWrite, async (c) => {
    const visibility = (await formFields(c)).visibility === "public" ? "public" : "private";
    const { row } = await updateWorkflow(requestContext(c), c.req.param("id"), { visibility });
    await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, row.id, c.get("clock").now());
    return seeOther(c, `/workflows/${encodeURIComponent(row.id)}`);
  })
  .post("/workflows/:id/delete", ...signedInWrite, async (c) => {
    const servedBy = await deploymentIdsServing(dbOf(c), c.req.param("id"));
    await deleteWorkflow(requestContext(c), c.req.param("id"));
    await refreshDeployments(dbOf(c), c.env.KV, servedBy, c.get("clock").now());
    return seeOther(c, "/workflows");
  })
  .post("/workflows/:id/run", ...signedInWrite, async (c) => {
    const started = await callRuntime<{ run_id: string }>(c, "hydra.run", { workflowId: c.req.param("id") });
    return seeOther(c, `/runs/${encodeURIComponent(started.run_id)}`);
  });

