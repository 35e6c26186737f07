import { createDatabase } from "../../db/client";
import { planRun } from "../planner";
import { parametersHash } from "../parameters-hash";
import { scoreRisk } from "../risk";
import { updateRunRow } from "../runs-store";
import type { StepRecord } from "../types";
import { runView } from "../view";
import { llmOf, type LiveRun } from "./context";
import { finishStep, phaseStep, startStep, stepCompleted, stepProgress, stepStarted, succeeded } from "./steps";

// The phases around act. Each commits its events together with the next phase, so a restart
// resumes exactly after the last completed one.

export function perceive(run: LiveRun) {
  const s = run.state;
  const step = phaseStep(s, "perceive");
  startStep(step);
  const result = {
    intent_length: s.intent.length,
    workflow_id: s.workflowId,
    workflow_version: s.workflowVersion,
    manifest_steps: s.manifestSteps?.length ?? 0,
  };
  finishStep(step, "success", result);
  s.phase = "think";
  run.journal.commit(s, [stepStarted(s, step), stepProgress(s, step, 1), stepCompleted(s, step, {})]);
}

export async function think(run: LiveRun, signal: AbortSignal) {
  const s = run.state;
  const step = phaseStep(s, "think");
  startStep(step);
  run.journal.commit(s, [stepStarted(s, step)]);
  const planned = await planRun({ intent: s.intent, manifestSteps: s.manifestSteps }, llmOf(run), signal);
  if (s.status === "cancelled") return;
  s.plan = planned.plan;
  s.tokensUsed += planned.tokens;
  const actionSteps: StepRecord[] = planned.plan.map((action) => ({
    id: crypto.randomUUID(),
    phase: "act",
    description: action.name,
    status: "pending",
    action: action.action,
    key: action.key,
  }));
  const learnIndex = s.steps.findIndex((x) => x.phase === "learn");
  s.steps.splice(learnIndex, 0, ...actionSteps);
  finishStep(step, "success", { planner: planned.planner, planned_steps: planned.plan.length, note: planned.note });
  s.phase = "decide";
  run.journal.commit(s, [
    stepProgress(s, step, 1),
    stepCompleted(s, step, { planner: planned.planner, planned_steps: planned.plan.length, tokens: planned.tokens }),
  ]);
}

export async function decide(run: LiveRun) {
  const s = run.state;
  const hashes = await Promise.all(s.plan.map((action) => parametersHash(action.parameters)));
  if (s.status !== "running") return;
  const step = phaseStep(s, "decide");
  startStep(step);
  const decisions = s.plan.map((action, i) => {
    action.parametersHash = hashes[i];
    const record = s.steps.find((x) => x.key === action.key && x.phase === "act")!;
    record.risk = scoreRisk(action.action, action.parameters);
    return { step_id: record.id, action: action.action, risk_score: record.risk.score, gate: record.risk.gate, reason: record.risk.reason };
  });
  finishStep(step, "success", { decisions });
  s.phase = "act";
  run.journal.commit(s, [stepStarted(s, step), stepProgress(s, step, 1), stepCompleted(s, step, { decisions })]);
}

export async function learn(run: LiveRun) {
  const s = run.state;
  const step = phaseStep(s, "learn");
  // A rerun (after a failed D1 write or a resume) must not announce the step twice.
  if (step.status !== "running") {
    startStep(step);
    run.journal.commit(s, [stepStarted(s, step)]);
  }
  const actSteps = s.steps.filter((x) => x.phase === "act");
  const failed = actSteps.filter((x) => x.status === "failed");
  const skipped = actSteps.filter((x) => x.status === "skipped");
  // Success only when every step was performed successfully (or skipped by a false condition).
  const allSucceeded = actSteps.every(succeeded);
  const now = new Date().toISOString();
  finishStep(step, "success", { failed: failed.length, skipped: skipped.length, tokens_used: s.tokensUsed });
  const status = failed.length > 0 ? "failed" : "completed";
  const error = failed.length > 0 ? `${failed.length} step(s) failed: ${failed.map((x) => x.description).join(", ")}` : null;
  await updateRunRow(createDatabase(run.env.DB), s.id, {
    status,
    steps: runView(s).steps,
    tokensUsed: s.tokensUsed,
    error,
    completedAt: now,
    updatedAt: now,
  });
  if (s.status !== "running") {
    // Cancelled or frozen while the outcome was being written: learn reruns on resume.
    step.status = "running";
    return;
  }
  s.status = status;
  s.error = error;
  s.phase = "done";
  s.completedAt = now;
  run.journal.commit(s, [
    stepProgress(s, step, 1),
    stepCompleted(s, step, { failed: failed.length, skipped: skipped.length }),
    status === "completed"
      ? { event: "run_completed", data: { run_id: s.id, status: allSucceeded ? "success" : "partial", tokens_used: s.tokensUsed } }
      : { event: "run_error", data: { run_id: s.id, error: error! } },
  ]);
  await run.storage.deleteAlarm();
}
