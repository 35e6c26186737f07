import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { isActive } from "../runtime/owned";
import { listRunRows } from "../runtime/runs-store";
import type { RunView } from "../runtime/view";
import { getManifest } from "../workflows/access";
import { Alert, Badge, Csrf, formatDate, DataTable } from "./components";
import { StepGraph, type GraphStep } from "./graph";
import { formFields, render, seeOther, sessionOf, signedIn, signedInWrite } from "./http";
import { callRuntime } from "./runtime-calls";
import { manifestSteps } from "./workflows";
import { dbOf } from "../db/session";


/**
 * Parameters and dependencies per run step, from the run's workflow version: what an approval
 * really approves. A run's act steps carry their manifest step's name, which links the two.
 */
async function stepParameters(c: Context<AppEnv>, run: RunView): Promise<{ params: Map<string, unknown>; deps: Map<string, string[]> }> {
  const params = new Map<string, unknown>();
  const deps = new Map<string, string[]>();
  if (!run.workflow_id || !run.workflow_version) return { params, deps };
  let steps: ReturnType<typeof manifestSteps> = [];
  try {
    steps = manifestSteps(await getManifest(dbOf(c), run.workflow_id, run.workflow_version));
  } catch {
    return { params, deps }; // the workflow was deleted since: the run still shows, without parameters
  }
  const byName = new Map(steps.map((m) => [m.name ?? m.id, m]));
  const runStepOf = new Map<string, string>();
  for (const st of run.steps) {
    const m = st.phase === "act" ? byName.get(st.description) : undefined;
    if (m) {
      runStepOf.set(m.id, st.id);
      params.set(st.id, (m as { parameters?: unknown }).parameters ?? {});
    }
  }
  for (const m of steps) {
    const id = runStepOf.get(m.id);
    if (id) deps.set(id, (m.depends_on ?? []).map((d) => runStepOf.get(d)).filter((d): d is string => d !== undefined));
  }
  return { params, deps };
}

/**
 * The run as a graph: perceive → think → decide, then the act steps (their manifest
 * depends_on; roots after decide), and learn after every act step nothing else waits for.
 */
function runGraph(run: RunView, deps: Map<string, string[]>, statusOf: (s: RunView["steps"][number]) => string): GraphStep[] {
  const act = run.steps.filter((s) => s.phase === "act");
  const before = run.steps.filter((s) => s.phase !== "act" && s.phase !== "learn");
  const needed = new Set(act.flatMap((s) => deps.get(s.id) ?? []));
  const leaves = act.filter((s) => !needed.has(s.id)).map((s) => s.id);
  const lastBefore = before.at(-1)?.id;
  return run.steps.map((s) => {
    let dependsOn: string[];
    if (s.phase === "act") dependsOn = deps.get(s.id)?.length ? deps.get(s.id)! : lastBefore ? [lastBefore] : [];
    else if (s.phase === "learn") dependsOn = leaves.length ? leaves : lastBefore ? [lastBefore] : [];
    else {
      const i = before.findIndex((b) => b.id === s.id);
      dependsOn = i > 0 ? [before[i - 1]!.id] : [];
    }
    return { id: s.id, name: s.description, detail: s.action ?? s.phase, depends_on: dependsOn, status: statusOf(s) };
  });
}

const pretty = (value: unknown) => JSON.stringify(value ?? {}, null, 2);

function ApprovalPanel({ run, csrf, params }: { run: RunView; csrf: string; params: Map<string, unknown> }) {
  const p = run.pending_approval;
  const id = encodeURIComponent(run.id);
  return (
    <section id="approval" class="approval" aria-labelledby="approval-title" hidden={!p}>
      <h2 id="approval-title">Approval required</h2>
      <p>
        Step <code data-field="step">{p?.step_id ?? ""}</code> wants to run <code data-field="action">{p?.action ?? ""}</code>:{" "}
        <span data-field="description">{run.steps.find((s) => s.id === p?.step_id)?.description ?? ""}</span>
      </p>
      <p>
        Risk <strong data-field="risk">{p ? String(p.risk_score) : ""}</strong> — <span data-field="reason">{p?.reason ?? ""}</span>. Expires{" "}
        <span data-field="expires">{p?.expires_at ?? ""}</span>.
      </p>
      <h3 id="approval-params">Parameters being approved</h3>
      <pre data-field="parameters" aria-labelledby="approval-params">
        {p ? pretty(params.get(p.step_id)) : ""}
      </pre>
      <div class="row">
        <form method="post" action={`/runs/${id}/approve`} class="inline">
          <Csrf token={csrf} />
          <input type="hidden" name="approval_id" value={p?.approval_id ?? ""} />
          <input type="hidden" name="decision" value="approved" />
          <button type="submit" class="primary">
            Approve
          </button>
        </form>
        <form method="post" action={`/runs/${id}/approve`} class="inline">
          <Csrf token={csrf} />
          <input type="hidden" name="approval_id" value={p?.approval_id ?? ""} />
          <input type="hidden" name="decision" value="denied" />
          <button type="submit" class="danger">
            Deny
          </button>
        </form>
      </div>
    </section>
  );
}

export const runScreens = new Hono<AppEnv>()
  .get("/runs", signedIn, async (c) => {
    const rows = await listRunRows(dbOf(c), c.get("user").id, 50);
    const csrf = sessionOf(c).csrfToken;
    return render(
      c,
      "Runs",
      <>
        <h1>Runs</h1>
        <p class="sub">Agent runs, newest first. Start one from a workflow's page, or from an intent here.</p>
        <form method="post" action="/runs/new" class="card">
          <Csrf token={csrf} />
          <label for="intent">Intent</label>
          <input id="intent" name="intent" type="text" required maxlength={4000} placeholder="Fix the login bug and add tests" />
          <p>
            <button type="submit">Start run</button>
          </p>
        </form>
        {rows.length === 0 ? (
          <p class="card muted">No runs yet.</p>
        ) : (
          <DataTable head={["Intent", "Status", "Started"]}>
            {rows.map((r) => (
              <tr>
                <td>
                  <a href={`/runs/${encodeURIComponent(r.id)}`}>{r.intent}</a>
                </td>
                <td>
                  <Badge value={r.status} />
                </td>
                <td>{formatDate(r.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </>,
    );
  })
  .post("/runs/new", ...signedInWrite, async (c) => {
    const intent = (await formFields(c)).intent ?? "";
    const started = await callRuntime<{ run_id: string }>(c, "hydra.run", { intent });
    return seeOther(c, `/runs/${encodeURIComponent(started.run_id)}`);
  })
  .get("/runs/:id", signedIn, async (c) => {
    const result = await callRuntime<{ runs: RunView[] }>(c, "hydra.status", { run_id: c.req.param("id") }).catch(() => null);
    const run = result?.runs[0];
    if (!run) return c.notFound();
    const { params, deps } = await stepParameters(c, run);
    const csrf = sessionOf(c).csrfToken;
    const active = isActive(run.status);
    const id = encodeURIComponent(run.id);
    const stepStatus = (s: RunView["steps"][number]) => (run.pending_approval?.step_id === s.id ? "waiting_approval" : s.status);
    return render(
      c,
      `Run ${run.id.slice(0, 8)}`,
      <div data-run-id={run.id} data-run-status={run.status}>
        <div class="bar">
          <div>
            <h1>{run.intent}</h1>
            <p class="sub">
              Run <code>{run.id}</code> · started {formatDate(run.created_at)}
              {run.workflow_id ? (
                <>
                  {" "}
                  · workflow <a href={`/workflows/${encodeURIComponent(run.workflow_id)}`}>{run.workflow_id}</a> v{run.workflow_version}
                </>
              ) : null}
            </p>
          </div>
          <div class="row">
            <span>
              Status:{" "}
              <span id="run-status" class={`badge ${run.status}`} aria-live="polite">
                {run.status}
              </span>
            </span>
            <span class="muted" id="stream-state">
              Connecting
            </span>
            {active ? (
              <form method="post" action={`/runs/${id}/cancel`} class="inline" data-while-active="">
                <Csrf token={csrf} />
                <button type="submit" class="danger">
                  Cancel
                </button>
              </form>
            ) : null}
          </div>
        </div>
        {run.error ? <Alert kind="bad">{run.error}</Alert> : null}
        <ApprovalPanel run={run} csrf={csrf} params={params} />
        <section aria-labelledby="graph-title">
          <h2 id="graph-title">Steps</h2>
          <StepGraph steps={runGraph(run, deps, stepStatus)} label="Run graph" />
          <DataTable head={["Step", "Phase", "Status", "Progress"]}>
            {run.steps.map((s) => (
              <tr data-step={s.id}>
                <td>
                  {s.description} <code class="muted">{s.id}</code>
                  {s.action ? (
                    <div>
                      <code>{s.action}</code>
                    </div>
                  ) : null}
                  <details>
                    <summary>Parameters</summary>
                    <pre id={`params-${s.id}`}>{pretty(params.get(s.id))}</pre>
                  </details>
                </td>
                <td>{s.phase}</td>
                <td>
                  <span class={`badge step-status ${stepStatus(s)}`}>{stepStatus(s)}</span>
                </td>
                <td>
                  <progress max={1} value={s.status === "completed" || s.status === "skipped" ? 1 : 0} aria-label={`Progress of ${s.id}`}></progress>
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
        <section aria-labelledby="events-title">
          <h2 id="events-title">Events</h2>
          <p id="events-empty" class="muted">
            Waiting for events…
          </p>
          <ol id="events" class="events" aria-live="polite" aria-relevant="additions" tabindex={0} aria-label="Run events"></ol>
        </section>
      </div>,
    );
  })
  .post("/runs/:id/approve", ...signedInWrite, async (c) => {
    const form = await formFields(c);
    await callRuntime(c, "hydra.approve", { approval_id: form.approval_id ?? "", decision: form.decision === "approved" ? "approved" : "denied" });
    return seeOther(c, `/runs/${encodeURIComponent(c.req.param("id"))}`);
  })
  .post("/runs/:id/cancel", ...signedInWrite, async (c) => {
    await callRuntime(c, "hydra.cancel", { run_id: c.req.param("id"), reason: "Cancelled from the dashboard" });
    return seeOther(c, `/runs/${encodeURIComponent(c.req.param("id"))}`);
  });
