import type { Phase, RunState, StepOutcome, StepRecord } from "../types";

/** An event not yet sequenced; `RunJournal.commit` gives it its id. */
export type PendingEvent = { event: string; data: Record<string, unknown> };

type FixedPhase = Exclude<Phase, "act">;

const PHASE_DESCRIPTIONS: Record<FixedPhase, string> = {
  perceive: "Perceiving intent",
  think: "Planning steps",
  decide: "Scoring risk of each action",
  learn: "Recording the outcome",
};

/** The fixed phases; think inserts the planned act steps before learn. */
export function initialSteps(): StepRecord[] {
  return (["perceive", "think", "decide", "learn"] as const).map((phase) => ({
    id: crypto.randomUUID(),
    phase,
    description: PHASE_DESCRIPTIONS[phase],
    status: "pending",
  }));
}

export const phaseStep = (s: RunState, phase: FixedPhase) => s.steps.find((x) => x.phase === phase)!;

export const isOpenActStep = (x: StepRecord) => x.phase === "act" && (x.status === "pending" || x.status === "running");

export function startStep(step: StepRecord) {
  step.status = "running";
  step.startedAt = new Date().toISOString();
}

export function finishStep(step: StepRecord, outcome: StepOutcome, result: unknown) {
  step.status = "completed";
  step.outcome = outcome;
  step.result = result;
  stampEnd(step);
}

export function skipStep(s: RunState, step: StepRecord, outcome: StepOutcome, events: PendingEvent[], extra: Record<string, unknown>) {
  step.status = "skipped";
  step.outcome = outcome;
  stampEnd(step);
  events.push(stepCompleted(s, step, { result: outcome, ...extra }));
}

export function stampEnd(step: StepRecord) {
  step.completedAt = new Date().toISOString();
  if (step.startedAt) step.durationMs = Date.parse(step.completedAt) - Date.parse(step.startedAt);
}

export function stepStarted(s: RunState, step: StepRecord): PendingEvent {
  return {
    event: "step_started",
    data: { run_id: s.id, step_id: step.id, phase: step.phase, description: step.description, ...(step.action ? { action: step.action } : {}) },
  };
}

export function stepProgress(s: RunState, step: StepRecord, progress: number): PendingEvent {
  return { event: "step_progress", data: { run_id: s.id, step_id: step.id, progress, phase: step.phase } };
}

/**
 * Act has one step per action, so its progress is the share of act steps that are finished
 * (completed, failed or skipped), reported on whichever step finished last.
 */
export function actProgress(s: RunState, step: StepRecord): PendingEvent {
  const actSteps = s.steps.filter((x) => x.phase === "act");
  const finished = actSteps.filter((x) => !isOpenActStep(x)).length;
  return stepProgress(s, step, finished / actSteps.length);
}

export function stepCompleted(s: RunState, step: StepRecord, extra: Record<string, unknown>): PendingEvent {
  return {
    event: "step_completed",
    data: {
      run_id: s.id,
      step_id: step.id,
      result: step.outcome ?? "success",
      phase: step.phase,
      ...(step.action ? { action: step.action } : {}),
      ...(step.durationMs !== undefined ? { duration_ms: step.durationMs } : {}),
      ...extra,
    },
  };
}

/** How much of a step's output its record (status, D1 history, events) keeps; the rest stays in storage. */
export const OUTPUT_EXCERPT_CHARS = 4000;

export function excerpt(output: unknown): unknown {
  if (typeof output === "string") return output.length > OUTPUT_EXCERPT_CHARS ? `${output.slice(0, OUTPUT_EXCERPT_CHARS)}…` : output;
  if (output === undefined) return null;
  const json = JSON.stringify(output);
  return json.length > OUTPUT_EXCERPT_CHARS ? `${json.slice(0, OUTPUT_EXCERPT_CHARS)}…` : output;
}

/** A step succeeded for its dependents: performed successfully, or skipped by a false condition. */
export const succeeded = (x: StepRecord) => x.status === "completed" || x.outcome === "condition_false";
