import { executeAction, type ExecutionResult } from "../executors";
import type { PlannedAction, RunState, StepRecord } from "../types";
import { requestApproval } from "./approvals";
import { integrationsOf, llmOf, type LiveRun } from "./context";
import { actProgress, finishStep, isOpenActStep, skipStep, stampEnd, startStep, stepCompleted, stepStarted, type PendingEvent } from "./steps";

type PlanByKey = Map<string, PlannedAction>;

/**
 * One level of the plan per call: steps whose dependencies were skipped or failed are
 * skipped, blocked steps are skipped, the first step needing approval waits, and every
 * other runnable step of the level executes in parallel.
 */
export async function act(run: LiveRun, signal: AbortSignal) {
  const s = run.state;
  const remaining = s.steps.filter(isOpenActStep);
  if (remaining.length === 0) {
    s.phase = "learn";
    run.journal.commit(s, []);
    return;
  }
  const byKey: PlanByKey = new Map(s.plan.map((p) => [p.key, p]));
  const level = Math.min(...remaining.map((x) => byKey.get(x.key!)!.level));
  const events: PendingEvent[] = [];
  const { runnable, needsApproval, skipped } = triage(
    s,
    remaining.filter((x) => byKey.get(x.key!)!.level === level),
    byKey,
    events,
  );
  // Skipped steps count as finished, so progress still reaches 1 when the last ones are skipped.
  if (skipped) events.push(actProgress(s, skipped));

  if (runnable.length === 0 && needsApproval) {
    await requestApproval(run, needsApproval, events);
    return;
  }

  for (const step of runnable) {
    startStep(step);
    events.push(stepStarted(s, step));
    const risk = step.risk!;
    if (risk.gate === "notice") {
      events.push({ event: "risk_notice", data: { run_id: s.id, step_id: step.id, action: step.action, risk_score: risk.score, reason: risk.reason } });
    }
  }
  run.journal.commit(s, events);
  if (runnable.length === 0) return;

  const results = await Promise.all(
    runnable.map((step) =>
      executeAction(byKey.get(step.key!)!, { intent: s.intent, llm: llmOf(run), integrations: integrationsOf(run), signal }).catch((err): ExecutionResult => {
        if (signal.aborted) throw err;
        return { outcome: "failed", tokens: 0, error: "Action failed unexpectedly" };
      }),
    ),
  );
  if (s.status === "cancelled") return;
  recordResults(run, runnable, results);
}

/** Sorts one level's steps: skipped now (events added), waiting for approval, or runnable. */
function triage(s: RunState, steps: StepRecord[], byKey: PlanByKey, events: PendingEvent[]) {
  const runnable: StepRecord[] = [];
  let needsApproval: StepRecord | null = null;
  let skipped: StepRecord | null = null;
  for (const step of steps) {
    const planned = byKey.get(step.key!)!;
    const blockedDep = planned.dependsOn
      .map((key) => s.steps.find((x) => x.key === key && x.phase === "act"))
      .find((dep) => dep && (dep.status === "skipped" || dep.status === "failed"));
    // decide scored every act step before act could start.
    const risk = step.risk!;
    if (blockedDep) {
      skipStep(s, step, "dependency_skipped", events, { reason: `depends on '${blockedDep.key}', which did not complete` });
      skipped = step;
    } else if (risk.gate === "block") {
      events.push(stepStarted(s, step));
      skipStep(s, step, "blocked", events, { risk_score: risk.score, reason: risk.reason });
      skipped = step;
    } else if (risk.gate === "approval" && !s.approvedSteps.includes(step.id)) {
      needsApproval ??= step;
    } else {
      runnable.push(step);
    }
  }
  return { runnable, needsApproval, skipped };
}

function recordResults(run: LiveRun, runnable: StepRecord[], results: ExecutionResult[]) {
  const s = run.state;
  const done: PendingEvent[] = [];
  runnable.forEach((step, i) => {
    const result = results[i]!;
    s.tokensUsed += result.tokens;
    if (result.outcome === "failed") {
      step.status = "failed";
      step.outcome = "failed";
      step.error = result.error ?? "Action failed";
      stampEnd(step);
      done.push(stepCompleted(s, step, { result: "failed", error: step.error }));
    } else {
      finishStep(step, result.outcome, result.result);
      done.push(stepCompleted(s, step, result.outcome === "delegated" ? { delegation: (result.result as { delegation: unknown }).delegation } : {}));
    }
  });
  done.push(actProgress(s, runnable[runnable.length - 1]!));
  if (!s.steps.some(isOpenActStep)) s.phase = "learn";
  run.journal.commit(s, done);
}
