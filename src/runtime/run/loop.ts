import { offlinePlan } from "../planner/offline";
import { isTerminal, type StartRunInput } from "../types";
import type { LiveRun, RunContext } from "./context";
import { failRun, stopRun } from "./control";
import { act } from "./act";
import { decide, learn, perceive, think } from "./phases";
import { alarmTime } from "./schedule";
import { afterCommit } from "./after-commit";
import { initialSteps } from "./steps";
import { RUN_STATE_VERSION } from "./stored-state";

/** If the object dies mid-phase, this alarm resumes it from the last committed step. */
const WATCHDOG_MS = 60_000;
const LEARN_RETRY_MS = 5_000;
/** perceive, think, decide and learn, besides the planned actions. */
const FIXED_STEPS = 4;

export async function startRun(ctx: RunContext, input: StartRunInput) {
  if (ctx.state) return; // idempotent: a retried start must not restart the run
  ctx.state = {
    version: RUN_STATE_VERSION,
    id: input.runId,
    userId: input.userId,
    intent: input.intent,
    workflowId: input.workflowId,
    workflowVersion: input.workflowVersion,
    manifestSteps: input.manifestSteps,
    status: "running",
    phase: "perceive",
    steps: initialSteps(),
    plan: [],
    tokensUsed: 0,
    pendingApprovals: [],
    actions: [],
    alarm: null,
    resolvedApprovals: {},
    approvedSteps: [],
    stopAfterPhase: null,
    error: null,
    settings: input.settings,
    createdAt: input.now,
    updatedAt: input.now,
    completedAt: null,
    lastSeq: 0,
    hubSeq: 0,
  };
  const run = ctx as LiveRun;
  const estimatedActions = input.manifestSteps?.length ?? offlinePlan(input.intent).length;
  run.journal.commit(run.state, [
    {
      event: "run_started",
      data: { run_id: input.runId, intent: input.intent, estimated_steps: FIXED_STEPS + estimatedActions, workflow_id: input.workflowId },
    },
  ]);
  // A new run is in perceive, so "next" is the first pass after the step delay.
  await afterCommit(run, { alarm: "next", row: true });
}

/** One alarm: the next phase, or one scheduling pass of act (which also handles deadlines). */
export async function advance(run: LiveRun) {
  const s = run.state;
  if (s.status !== "running" || run.inflight) return;
  await runPhase(run, alarmTime(run));
}

async function runPhase(run: LiveRun, now: number) {
  const s = run.state;
  const controller = new AbortController();
  run.inflight = controller;
  try {
    await run.storage.setAlarm(Date.now() + WATCHDOG_MS);
    switch (s.phase) {
      case "perceive":
        perceive(run);
        break;
      case "think":
        await think(run, controller.signal);
        break;
      case "decide":
        await decide(run);
        break;
      case "act":
        await act(run, now);
        break;
      case "learn":
        await learn(run);
        break;
      case "done":
        return;
    }
  } catch (err) {
    if (controller.signal.aborted || s.status !== "running") return;
    if (s.phase === "learn") {
      // D1 unavailable: the outcome must still be recorded, so retry later.
      await run.storage.setAlarm(Date.now() + LEARN_RETRY_MS);
      return;
    }
    await failRun(run, err);
    return;
  } finally {
    if (run.inflight === controller) run.inflight = null;
  }
  if (s.stopAfterPhase && !isTerminal(s.status) && run.executing.size === 0) {
    await stopRun(run, s.stopAfterPhase, "graceful");
    return;
  }
  await afterCommit(run, { alarm: "next" });
}
