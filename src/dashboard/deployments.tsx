import { Hono, type Context } from "hono";
import { assertWithinPlanLimit } from "../billing/limits";
import { publicBaseUrl } from "../deployments/routes";
import { createDeploymentBody, updateDeploymentBody } from "../deployments/schemas";
import { createDeployment, deleteDeployment, getDeployment, listDeployments, setStatus, updateDeployment, type DeploymentCtx } from "../deployments/service";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { requestContext } from "../http/request-context";
import { issuesOf, type FieldIssue } from "../http/validate";
import { listLibrary } from "../library/service";
import { ADAPTERS } from "../manifest/schema";
import { PLANS } from "../plans";
import { Alert, Badge, ConfirmDelete, CopyBlock, Csrf, FieldErrors, Pager, formatDate, invalidProps, DataTable } from "./components";
import { formFields, formList, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { ideSnippets } from "./snippets";
import { UsageChart, usageThisMonth } from "./usage-chart";
import { dbOf } from "../db/session";

const ctxOf = (c: Context<AppEnv>): DeploymentCtx => ({ ...requestContext(c), kv: c.env.KV, oauthKv: c.env.OAUTH_KV, baseUrl: publicBaseUrl(c) });

interface DeploymentFormValues {
  name: string;
  description: string;
  workflowIds: string[];
  enabledAdapters: string[];
  allowAnonymous: boolean;
}

async function readForm(c: Context<AppEnv>): Promise<DeploymentFormValues> {
  const fields = await formFields(c);
  return {
    name: fields.name ?? "",
    description: fields.description ?? "",
    workflowIds: await formList(c, "workflowIds"),
    enabledAdapters: await formList(c, "enabledAdapters"),
    allowAnonymous: fields.allowAnonymous === "true",
  };
}

const bodyOf = (v: DeploymentFormValues) => ({
  name: v.name,
  description: v.description.trim() === "" ? null : v.description,
  workflowIds: v.workflowIds,
  enabledAdapters: v.enabledAdapters,
  allowAnonymous: v.allowAnonymous,
});

async function DeploymentForm({ c, action, values, issues, message }: { c: Context<AppEnv>; action: string; values: DeploymentFormValues; issues: FieldIssue[]; message?: string }) {
  const library = await listLibrary(dbOf(c), c.get("user").id, { limit: 100, activeOnly: false });
  return (
    <form method="post" action={action} novalidate>
      <Csrf token={sessionOf(c).csrfToken} />
      {message ? <Alert kind="bad">{message}</Alert> : null}
      <label for="name">Name</label>
      <input id="name" name="name" type="text" value={values.name} required maxlength={100} {...invalidProps(issues, "name", "name-error")} />
      <FieldErrors id="name-error" issues={issues} field="name" />
      <label for="description">Description</label>
      <input id="description" name="description" type="text" value={values.description} maxlength={1000} {...invalidProps(issues, "description", "description-error")} />
      <FieldErrors id="description-error" issues={issues} field="description" />
      <fieldset {...invalidProps(issues, "workflowIds", "workflowIds-error")}>
        <legend>Workflows</legend>
        {library.items.length === 0 ? (
          <p class="muted">
            Your library is empty: <a href="/workflows/new">create a workflow</a> or subscribe to one first.
          </p>
        ) : (
          library.items.map((e) => (
            <label class="check">
              <input type="checkbox" name="workflowIds" value={e.workflowId} checked={values.workflowIds.includes(e.workflowId)} />
              {e.workflowName} <span class="muted">v{e.workflowVersion}</span>
            </label>
          ))
        )}
        <FieldErrors id="workflowIds-error" issues={issues} field="workflowIds" />
      </fieldset>
      <fieldset {...invalidProps(issues, "enabledAdapters", "enabledAdapters-error")}>
        <legend>Adapters</legend>
        {ADAPTERS.map((a) => (
          <label class="check">
            <input type="checkbox" name="enabledAdapters" value={a} checked={values.enabledAdapters.includes(a)} /> {a}
          </label>
        ))}
        <FieldErrors id="enabledAdapters-error" issues={issues} field="enabledAdapters" />
      </fieldset>
      <label class="check">
        <input type="checkbox" name="allowAnonymous" value="true" checked={values.allowAnonymous} aria-describedby="anon-hint" /> Allow anonymous access
      </label>
      <p class="hint" id="anon-hint">
        Anyone with the URL may connect without a token.
      </p>
      <p>
        <button type="submit" class="primary">
          Save
        </button>
      </p>
    </form>
  );
}

const shownError = (err: unknown) => (err instanceof ApiError && ["PLAN_LIMIT_EXCEEDED", "VALIDATION_ERROR", "NOT_FOUND", "FORBIDDEN"].includes(err.code) ? err : null);
const issuesIn = (err: ApiError): FieldIssue[] => (Array.isArray(err.details.issues) ? (err.details.issues as FieldIssue[]) : []);

async function newPage(c: Context<AppEnv>, values: DeploymentFormValues, issues: FieldIssue[] = [], message?: string) {
  // Problems are shown on an ordinary 200 page, next to their fields (no browser console error).
  return render(
    c,
    "New deployment",
    <>
      <h1>New deployment</h1>
      <p class="sub">A deployment is an MCP server that serves the workflows you pick to Claude Code, Cursor and Codex.</p>
      <DeploymentForm c={c} action="/deployments/new" values={values} issues={issues} message={message} />
    </>,
  );
}

async function detailPage(c: Context<AppEnv>, issues: FieldIssue[] = [], message?: string) {
  const dep = await getDeployment(ctxOf(c), c.req.param("id")!);
  const days = await usageThisMonth(dbOf(c), dep.deploymentId, c.get("clock").now());
  const csrf = sessionOf(c).csrfToken;
  const id = encodeURIComponent(dep.deploymentId);
  return render(
    c,
    dep.name,
    <>
      <div class="bar">
        <div>
          <h1>{dep.name}</h1>
          {dep.description ? <p class="sub">{dep.description}</p> : null}
        </div>
        <div class="row">
          <Badge value={dep.status} />
          <form method="post" action={`/deployments/${id}/${dep.status === "active" ? "deactivate" : "activate"}`} class="inline">
            <Csrf token={csrf} />
            <button type="submit">{dep.status === "active" ? "Deactivate" : "Activate"}</button>
          </form>
        </div>
      </div>
      <section aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">MCP endpoint</h2>
        <p>
          <code id="mcp-endpoint">{dep.mcpEndpoint}</code>
        </p>
        <p class="hint">
          {dep.allowAnonymous ? "Anonymous access is on: no token is needed." : "Set HYDRA_TOKEN to a dev token or an API key."} Adapters:{" "}
          {dep.enabledAdapters.join(", ")}.
        </p>
        {ideSnippets(dep.mcpEndpoint).map((s) => (
          <section aria-labelledby={`${s.id}-label`}>
            <CopyBlock id={s.id} label={s.label} text={s.text} />
          </section>
        ))}
      </section>
      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Usage</h2>
        <UsageChart days={days} limit={PLANS[c.get("user").plan].limits.connectionsPerMonth} />
        <p class="hint">Last connection: {formatDate(dep.usage.lastConnectedAt)}</p>
      </section>
      <section aria-labelledby="edit-title">
        <h2 id="edit-title">Settings</h2>
        <DeploymentForm
          c={c}
          action={`/deployments/${id}/edit`}
          values={{
            name: dep.name,
            description: dep.description ?? "",
            workflowIds: dep.workflows.map((w) => w.workflowId),
            enabledAdapters: dep.enabledAdapters,
            allowAnonymous: dep.allowAnonymous,
          }}
          issues={issues}
          message={message}
        />
      </section>
      <ConfirmDelete
        action={`/deployments/${id}/delete`}
        csrf={csrf}
        summary="Delete this deployment…"
        explain="The MCP endpoint stops answering (within a minute everywhere). This cannot be undone."
        button="Delete deployment"
      />
    </>,
  );
}

const emptyForm: DeploymentFormValues = { name: "", description: "", workflowIds: [], enabledAdapters: [...ADAPTERS], allowAnonymous: false };

export const deploymentScreens = new Hono<AppEnv>()
  .get("/deployments", signedIn, async (c) => {
    const cursor = c.req.query("cursor") || undefined;
    const page = await listDeployments(ctxOf(c), { limit: 20, ...(cursor ? { cursor } : {}) }).catch(() => null);
    if (!page) return seeOther(c, "/deployments");
    return render(
      c,
      "Deployments",
      <>
        <div class="bar">
          <div>
            <h1>Deployments</h1>
            <p class="sub">Each deployment is an MCP server your IDE connects to.</p>
          </div>
          <form method="get" action="/deployments/new">
            <button type="submit" class="primary">
              New deployment
            </button>
          </form>
        </div>
        {page.items.length === 0 ? (
          <p class="card muted">No deployments yet.</p>
        ) : (
          <DataTable head={["Name", "Status", "Workflows", "Connections this month"]}>
            {page.items.map((d) => (
              <tr>
                <td>
                  <a href={`/deployments/${encodeURIComponent(d.deploymentId)}`}>{d.name}</a>
                  <div class="muted mono">{d.mcpEndpoint}</div>
                </td>
                <td>
                  <Badge value={d.status} />
                </td>
                <td>{d.workflows.map((w) => w.name).join(", ")}</td>
                <td>{d.usage.connectionsThisMonth}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pager base="/deployments" params={{}} nextCursor={page.pagination.nextCursor} />
      </>,
    );
  })
  .get("/deployments/new", signedIn, (c) => newPage(c, emptyForm))
  .post("/deployments/new", ...signedInWrite, async (c) => {
    const values = await readForm(c);
    const parsed = createDeploymentBody.safeParse(bodyOf(values));
    if (!parsed.success) return newPage(c, values, issuesOf(parsed.error));
    try {
      await assertWithinPlanLimit(dbOf(c), c.get("user"), "deployments", c.get("config").UPGRADE_URL);
      const created = await createDeployment(ctxOf(c), parsed.data);
      return seeOther(c, `/deployments/${encodeURIComponent(created.deploymentId)}`);
    } catch (err) {
      const shown = shownError(err);
      if (!shown) throw err;
      return newPage(c, values, issuesIn(shown), shown.message);
    }
  })
  .get("/deployments/:id", signedIn, (c) => detailPage(c))
  .post("/deployments/:id/edit", ...signedInWrite, async (c) => {
    const values = await readForm(c);
    const parsed = updateDeploymentBody.safeParse(bodyOf(values));
    if (!parsed.success) return detailPage(c, issuesOf(parsed.error));
    try {
      await updateDeployment(ctxOf(c), c.req.param("id"), parsed.data);
    } catch (err) {
      const shown = shownError(err);
      if (!shown || shown.code === "NOT_FOUND") throw err;
      return detailPage(c, issuesIn(shown), shown.message);
    }
    return seeOther(c, `/deployments/${encodeURIComponent(c.req.param("id"))}`);
  })
  .post("/deployments/:id/activate", ...signedInWrite, async (c) => {
    await setStatus(ctxOf(c), c.req.param("id"), "active");
    return seeOther(c, `/deployments/${encodeURIComponent(c.req.param("id"))}`);
  })
  .post("/deployments/:id/deactivate", ...signedInWrite, async (c) => {
    await setStatus(ctxOf(c), c.req.param("id"), "inactive");
    return seeOther(c, `/deployments/${encodeURIComponent(c.req.param("id"))}`);
  })
  .post("/deployments/:id/delete", ...signedInWrite, async (c) => {
    await deleteDeployment(ctxOf(c), c.req.param("id"));
    return seeOther(c, "/deployments");
  });
