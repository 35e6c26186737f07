import { DurableObject } from "cloudflare:workers";
import { createDatabase } from "../db/client";
import { configSchema, type Bindings } from "../env";
import { EventLog } from "./event-log";
import { executeAction, type ExecutionResult } from "./executors";
import { planRun } from "./planner";
import { llmProviderFrom, type LlmProvider } from "./planner/llm-provider";
import { offlinePlan } from "./planner/offline";
import { scoreRisk } from "./risk";
import { insertApprovalRow, updateRunRow } from "./runs-store";
import { parseLastEventId, SubscriberSet } from "./sse";
import {
  isTerminal,
  type Phase,
  type RunState,
  type StartRunInput,
  type StepOutcome,
  type StepRecord,
  type StoredEvent,
} from "./types";
import { userHubStub } from "./user-hub";
import { runView, type RunView } from "./view";

/** The newest events kept per run (older ones are deleted as new ones arrive). */
export const RUN_EVENT_RETENTION = 1000;
/** If the object dies mid-phase, this alarm resumes it from the last committed step. */
const WATCHDOG_MS = 60_000;
const LEARN_RETRY_MS = 5_000;

const PHASE_DESCRIPTIONS: Record<Exclude<Phase, "act">, string> = {
  perceive: "Perceiving intent",
  think: "Planning steps",
  decide: "Scoring risk of each action",
  learn: "Recording the outcome",
};

type PendingEvent = { event: string; data: Record<string, unknown> };
export type KillLevel = "instant" | "graceful" | "freeze";
export type DecideResult =
  | { ok: true; runId: string }
  | { ok: false; reason: "not_found" | "already_decided" | "expired" | "not_pending"; decision?: string };

/**
 * One agent run: perceive → think → decide → act → learn, one phase (or one level of
 * actions) per alarm, with every transition committed to storage together with its events,
 * so an evicted or restarted object resumes from the last completed step.
 */
export class RunObject extends DurableObject<Bindings> {
  private state: RunState | null;
  private readonly log: EventLog;
  private readonly subscribers = new SubscriberSet();
  /** Aborts the in-flight phase's provider and integration calls on cancel. */
  private inflight: AbortController | null = null;
  private hubFlush: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.log = new EventLog(ctx.storage.kv, RUN_EVENT_RETENTION);
    this.state = ctx.storage.kv.get<RunState>("state") ?? null;
  }

  // ---- RPC surface used by the Worker -------------------------------------------------

  async start(input: StartRunInput): Promise<void> {
    if (this.state) return; // idempotent: a retried start must not restart the run
    const steps: StepRecord[] = (["perceive", "think", "decide", "learn"] as const).map((phase) => ({
      id: crypto.randomUUID(),
      phase,
      description: PHASE_DESCRIPTIONS[phase],
      status: "pending",
    }));
    this.state = {
      id: input.runId,
      userId: input.userId,
      intent: input.intent,
      workflowId: input.workflowId,
      workflowVersion: input.workflowVersion,
      manifestSteps: input.manifestSteps,
      status: "running",
      phase: "perceive",
      steps,
      plan: [],
      tokensUsed: 0,
      pendingApproval: null,
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
    const estimatedActions = input.manifestSteps?.length ?? offlinePlan(input.intent).length;
    this.commit([
      {
        event: "run_started",
        data: { run_id: input.runId, intent: input.intent, estimated_steps: 4 + estimatedActions, workflow_id: input.workflowId },
      },
    ]);
    await this.ctx.storage.setAlarm(Date.now() + input.settings.stepDelayMs);
    await this.syncRow();
    await this.flushToHub();
  }

  async snapshot(userId: string): Promise<RunView | null> {
    const s = this.owned(userId);
    if (!s) return null;
    await this.ensureProgress();
    return runView(s);
  }

  /** Stops the run now (in-flight calls aborted). False when it was not active. */
  async cancel(userId: string, reason: string, level: "cancel" | "instant" | "graceful" = "cancel"): Promise<boolean> {
    const s = this.owned(userId);
    if (!s || isTerminal(s.status)) return false;
    await this.stop(reason, level);
    return true;
  }

  /** Applies one kill level; true when this run counts as stopped (or frozen). */
  async kill(userId: string, level: KillLevel, reason: string): Promise<boolean> {
    const s = this.owned(userId);
    if (!s || isTerminal(s.status)) return false;
    if (level === "instant") return this.cancel(userId, reason, "instant");
    if (level === "graceful") {
      // Between phases (idle, waiting for an approval, frozen) graceful stops at once.
      if (this.inflight && s.status === "running") {
        s.stopAfterPhase = reason;
        this.commit([]);
        return true;
      }
      return this.cancel(userId, reason, "graceful");
    }
    if (s.status !== "running" && s.status !== "pending") return false;
    s.status = "frozen";
    this.commit([{ event: "run_frozen", data: { run_id: s.id, reason } }]);
    await this.ctx.storage.deleteAlarm();
    await this.syncRow();
    await this.flushToHub();
    return true;
  }

  async resume(userId: string): Promise<boolean> {
    const s = this.owned(userId);
    if (!s || s.status !== "frozen") return false;
    s.status = "running";
    const events: PendingEvent[] = [{ event: "run_resumed", data: { run_id: s.id } }];
    const pending = s.pendingApproval;
    if (pending?.decision === "approved") {
      s.pendingApproval = null;
      s.approvedSteps.push(pending.step_id);
    }
    this.commit(events);
    if (s.pendingApproval && Date.now() >= Date.parse(s.pendingApproval.expires_at)) this.resolveApproval("expired");
    await this.scheduleNext();
    await this.syncRow();
    await this.flushToHub();
    return true;
  }

  async decide(userId: string, approvalId: string, decision: "approved" | "denied"): Promise<DecideResult> {
    const s = this.owned(userId);
    if (!s) return { ok: false, reason: "not_found" };
    const resolved = s.resolvedApprovals[approvalId];
    if (resolved === "cancelled") return { ok: false, reason: "not_pending", decision: resolved };
    if (resolved) return { ok: false, reason: resolved === "expired" ? "expired" : "already_decided", decision: resolved };
    const pending = s.pendingApproval;
    if (!pending || pending.approval_id !== approvalId) return { ok: false, reason: "not_found" };
    if (pending.decision) return { ok: false, reason: "already_decided", decision: pending.decision };
    if (Date.now() >= Date.parse(pending.expires_at)) {
      this.resolveApproval("expired");
      await this.scheduleNext();
      await this.flushToHub();
      return { ok: false, reason: "expired", decision: "expired" };
    }
    if (s.status === "frozen" && decision === "approved") {
      // Kept and applied on resume.
      pending.decision = "approved";
      s.resolvedApprovals[approvalId] = "approved";
      this.commit([{ event: "approval_resolved", data: { run_id: s.id, approval_id: approvalId, decision } }]);
    } else {
      this.resolveApproval(decision);
      await this.scheduleNext();
    }
    await this.flushToHub();
    return { ok: true, runId: s.id };
  }

  /** SSE for GET /runs/{id}/events: the log from Last-Event-ID (or the start), then live. */
  override async fetch(request: Request): Promise<Response> {
    const s = this.state;
    if (!s || s.userId !== request.headers.get("X-Hydra-User")) return new Response("not found", { status: 404 });
    const requested = parseLastEventId(request.headers.get("Last-Event-ID")) ?? 0;
    const cursor = Math.min(requested, s.lastSeq);
    return this.subscribers.open({
      heartbeatMs: Number(request.headers.get("X-Heartbeat-Ms")) || 30_000,
      cursor,
      backlog: this.log.after(cursor),
      closeAfterBacklog: isTerminal(s.status) ? "Run finished" : undefined,
    });
  }

  // ---- The loop --------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const s = this.state;
    if (!s || s.status !== "running" || this.inflight) return;
    if (s.pendingApproval) {
      // While waiting, the only alarm is the approval's expiry.
      this.resolveApproval("expired");
      await this.scheduleNext();
      await this.flushToHub();
      return;
    }
    await this.runPhase(s);
  }

  private async runPhase(s: RunState) {
    const controller = new AbortController();
    this.inflight = controller;
    try {
      await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
      switch (s.phase) {
        case "perceive":
          this.perceive(s);
          break;
        case "think":
          await this.think(s, controller.signal);
          break;
        case "decide":
          this.decidePhase(s);
          break;
        case "act":
          await this.act(s, controller.signal);
          break;
        case "learn":
          await this.learn(s);
          break;
        case "done":
          return;
      }
    } catch (err) {
      if (controller.signal.aborted || s.status !== "running") return;
      if (s.phase === "learn") {
        // D1 unavailable: the outcome must still be recorded, so retry later.
        await this.ctx.storage.setAlarm(Date.now() + LEARN_RETRY_MS);
        return;
      }
      await this.fail(s, err);
      return;
    } finally {
      if (this.inflight === controller) this.inflight = null;
    }
    if (s.stopAfterPhase && !isTerminal(s.status)) {
      await this.stop(s.stopAfterPhase, "graceful");
      return;
    }
    await this.scheduleNext();
    await this.flushToHub();
  }

  private perceive(s: RunState) {
    const step = this.phaseStep(s, "perceive");
    this.startStep(s, step, []);
    const result = {
      intent_length: s.intent.length,
      workflow_id: s.workflowId,
      workflow_version: s.workflowVersion,
      manifest_steps: s.manifestSteps?.length ?? 0,
    };
    this.finishStep(step, "success", result);
    s.phase = "think";
    this.commit([
      this.stepStarted(s, step),
      { event: "step_progress", data: { run_id: s.id, step_id: step.id, progress: 1, phase: "perceive" } },
      this.stepCompleted(s, step, {}),
    ]);
  }

  private async think(s: RunState, signal: AbortSignal) {
    const step = this.phaseStep(s, "think");
    this.startStep(s, step, []);
    this.commit([this.stepStarted(s, step)]);
    const planned = await planRun({ intent: s.intent, manifestSteps: s.manifestSteps }, this.llm(), signal);
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
    this.finishStep(step, "success", { planner: planned.planner, planned_steps: planned.plan.length, note: planned.note });
    s.phase = "decide";
    this.commit([
      { event: "step_progress", data: { run_id: s.id, step_id: step.id, progress: 1, phase: "think" } },
      this.stepCompleted(s, step, { planner: planned.planner, planned_steps: planned.plan.length, tokens: planned.tokens }),
    ]);
  }

  private decidePhase(s: RunState) {
    const step = this.phaseStep(s, "decide");
    this.startStep(s, step, []);
    const decisions = s.plan.map((action) => {
      const record = s.steps.find((x) => x.key === action.key && x.phase === "act")!;
      record.risk = scoreRisk(action.action, action.parameters);
      return { step_id: record.id, action: action.action, risk_score: record.risk.score, gate: record.risk.gate, reason: record.risk.reason };
    });
    this.finishStep(step, "success", { decisions });
    s.phase = "act";
    this.commit([
      this.stepStarted(s, step),
      { event: "step_progress", data: { run_id: s.id, step_id: step.id, progress: 1, phase: "decide" } },
      this.stepCompleted(s, step, { decisions }),
    ]);
  }

  /**
   * One level of the plan per call: steps whose dependencies were skipped or failed are
   * skipped, blocked steps are skipped, the first step needing approval waits, and every
   * other runnable step of the level executes in parallel.
   */
  private async act(s: RunState, signal: AbortSignal) {
    const open = (x: StepRecord) => x.phase === "act" && (x.status === "pending" || x.status === "running");
    const remaining = s.steps.filter(open);
    if (remaining.length === 0) {
      s.phase = "learn";
      this.commit([]);
      return;
    }
    const byKey = new Map(s.plan.map((p) => [p.key, p]));
    const level = Math.min(...remaining.map((x) => byKey.get(x.key!)!.level));
    const events: PendingEvent[] = [];
    const runnable: StepRecord[] = [];
    let needsApproval: StepRecord | null = null;

    for (const step of remaining.filter((x) => byKey.get(x.key!)!.level === level)) {
      const planned = byKey.get(step.key!)!;
      const blockedDep = planned.dependsOn
        .map((key) => s.steps.find((x) => x.key === key && x.phase === "act"))
        .find((dep) => dep && (dep.status === "skipped" || dep.status === "failed"));
      const risk = step.risk ?? scoreRisk(planned.action, planned.parameters);
      if (blockedDep) {
        this.skipStep(s, step, "dependency_skipped", events, { reason: `depends on '${blockedDep.key}', which did not complete` });
      } else if (risk.gate === "block") {
        events.push(this.stepStarted(s, step));
        this.skipStep(s, step, "blocked", events, { risk_score: risk.score, reason: risk.reason });
      } else if (risk.gate === "approval" && !s.approvedSteps.includes(step.id)) {
        needsApproval ??= step;
      } else {
        runnable.push(step);
      }
    }

    if (runnable.length === 0 && needsApproval) {
      // The index row exists before anyone can see the approval id.
      const approvalId = crypto.randomUUID();
      await insertApprovalRow(createDatabase(this.env.DB), { id: approvalId, runId: s.id, userId: s.userId, now: new Date().toISOString() });
      if (s.status === "cancelled") return;
      this.requestApproval(s, needsApproval, approvalId, events);
      return;
    }

    for (const step of runnable) {
      this.startStep(s, step, events);
      const risk = step.risk!;
      if (risk.gate === "notice") {
        events.push({ event: "risk_notice", data: { run_id: s.id, step_id: step.id, action: step.action, risk_score: risk.score, reason: risk.reason } });
      }
    }
    this.commit(events);
    if (runnable.length === 0) return;

    const results = await Promise.all(
      runnable.map((step) =>
        executeAction(byKey.get(step.key!)!, { intent: s.intent, llm: this.llm(), signal }).catch(
          (err): ExecutionResult => {
            if (signal.aborted) throw err;
            return { outcome: "failed", tokens: 0, error: "Action failed unexpectedly" };
          },
        ),
      ),
    );
    if (s.status === "cancelled") return;

    const done: PendingEvent[] = [];
    runnable.forEach((step, i) => {
      const result = results[i]!;
      s.tokensUsed += result.tokens;
      if (result.outcome === "failed") {
        step.status = "failed";
        step.outcome = "failed";
        step.error = result.error ?? "Action failed";
        this.stampEnd(step);
        done.push(this.stepCompleted(s, step, { result: "failed", error: step.error }));
      } else {
        this.finishStep(step, result.outcome, result.result);
        done.push(this.stepCompleted(s, step, result.outcome === "delegated" ? { delegation: (result.result as { delegation: unknown }).delegation } : {}));
      }
    });
    const actSteps = s.steps.filter((x) => x.phase === "act");
    const finished = actSteps.filter((x) => !open(x)).length;
    done.push({ event: "step_progress", data: { run_id: s.id, step_id: runnable[runnable.length - 1]!.id, progress: finished / actSteps.length, phase: "act" } });
    if (finished === actSteps.length) s.phase = "learn";
    this.commit(done);
  }

  private async learn(s: RunState) {
    const step = this.phaseStep(s, "learn");
    if (step.status !== "running") {
      this.startStep(s, step, []);
      this.commit([this.stepStarted(s, step)]);
    }
    const actSteps = s.steps.filter((x) => x.phase === "act");
    const failed = actSteps.filter((x) => x.status === "failed");
    const skipped = actSteps.filter((x) => x.status === "skipped");
    const now = new Date().toISOString();
    this.finishStep(step, "success", { failed: failed.length, skipped: skipped.length, tokens_used: s.tokensUsed });
    const status = failed.length > 0 ? "failed" : "completed";
    const error = failed.length > 0 ? `${failed.length} step(s) failed: ${failed.map((x) => x.description).join(", ")}` : null;
    await updateRunRow(createDatabase(this.env.DB), s.id, {
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
    this.commit([
      this.stepCompleted(s, step, { failed: failed.length, skipped: skipped.length }),
      status === "completed"
        ? { event: "run_completed", data: { run_id: s.id, status: skipped.length > 0 ? "partial" : "success", tokens_used: s.tokensUsed } }
        : { event: "run_error", data: { run_id: s.id, error: error! } },
    ]);
    await this.ctx.storage.deleteAlarm();
  }

  // ---- Transitions -------------------------------------------------------------------------

  private async stop(reason: string, level: "cancel" | "instant" | "graceful") {
    const s = this.state!;
    this.inflight?.abort();
    this.inflight = null;
    const events: PendingEvent[] = [];
    if (s.pendingApproval) {
      s.resolvedApprovals[s.pendingApproval.approval_id] = "cancelled";
      s.pendingApproval = null;
    }
    for (const step of s.steps) {
      if (step.status === "pending" || step.status === "running") {
        step.status = "skipped";
        step.outcome = "cancelled";
        this.stampEnd(step);
      }
    }
    const now = new Date().toISOString();
    s.status = "cancelled";
    s.phase = "done";
    s.stopAfterPhase = null;
    s.completedAt = now;
    s.error = reason;
    events.push({ event: "run_cancelled", data: { run_id: s.id, reason, level } });
    this.commit(events);
    await this.ctx.storage.deleteAlarm();
    await this.syncRow();
    await this.flushToHub();
  }

  private async fail(s: RunState, err: unknown) {
    console.error(JSON.stringify({ level: "error", msg: "run failed", runId: s.id, error: String(err) }));
    const now = new Date().toISOString();
    for (const step of s.steps) {
      if (step.status === "running") {
        step.status = "failed";
        step.outcome = "failed";
        this.stampEnd(step);
      } else if (step.status === "pending") {
        step.status = "skipped";
        step.outcome = "dependency_skipped";
      }
    }
    s.status = "failed";
    s.phase = "done";
    s.error = "The run failed unexpectedly";
    s.completedAt = now;
    this.commit([{ event: "run_error", data: { run_id: s.id, error: s.error } }]);
    await this.ctx.storage.deleteAlarm();
    await this.syncRow();
    await this.flushToHub();
  }

  private requestApproval(s: RunState, step: StepRecord, approvalId: string, events: PendingEvent[]) {
    const risk = step.risk!;
    const approval = {
      approval_id: approvalId,
      step_id: step.id,
      action: step.action!,
      risk_score: risk.score,
      reason: risk.reason,
      expires_at: new Date(Date.now() + s.settings.approvalTtlSeconds * 1000).toISOString(),
    };
    s.pendingApproval = approval;
    events.push({ event: "approval_required", data: { run_id: s.id, ...approval, description: step.description } });
    this.commit(events);
  }

  /** Denied or expired: the step is skipped (its dependents follow) and the run goes on. */
  private resolveApproval(decision: "approved" | "denied" | "expired") {
    const s = this.state!;
    const pending = s.pendingApproval!;
    s.pendingApproval = null;
    s.resolvedApprovals[pending.approval_id] = decision;
    const events: PendingEvent[] = [{ event: "approval_resolved", data: { run_id: s.id, approval_id: pending.approval_id, decision } }];
    const step = s.steps.find((x) => x.id === pending.step_id)!;
    if (decision === "approved") {
      s.approvedSteps.push(step.id);
    } else {
      events.push(this.stepStarted(s, step));
      this.skipStep(s, step, decision, events, { approval_id: pending.approval_id });
    }
    this.commit(events);
  }

  /** The next alarm: a phase after the step delay, or the pending approval's expiry. */
  private async scheduleNext() {
    const s = this.state!;
    if (s.status !== "running" || s.phase === "done" || this.inflight) return;
    const at = s.pendingApproval ? Date.parse(s.pendingApproval.expires_at) : Date.now() + s.settings.stepDelayMs;
    await this.ctx.storage.setAlarm(at);
  }

  /** After a restart nothing may be left without an alarm to drive it. */
  private async ensureProgress() {
    const s = this.state!;
    if (s.status !== "running" || s.phase === "done" || this.inflight) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleNext();
  }

  // ---- Steps and events ----------------------------------------------------------------------

  private phaseStep(s: RunState, phase: Exclude<Phase, "act">) {
    return s.steps.find((x) => x.phase === phase)!;
  }

  private startStep(s: RunState, step: StepRecord, events: PendingEvent[]) {
    step.status = "running";
    step.startedAt = new Date().toISOString();
    if (step.phase === "act") events.push(this.stepStarted(s, step));
  }

  private finishStep(step: StepRecord, outcome: StepOutcome, result: unknown) {
    step.status = "completed";
    step.outcome = outcome;
    step.result = result;
    this.stampEnd(step);
  }

  private skipStep(s: RunState, step: StepRecord, outcome: StepOutcome, events: PendingEvent[], extra: Record<string, unknown>) {
    step.status = "skipped";
    step.outcome = outcome;
    this.stampEnd(step);
    events.push(this.stepCompleted(s, step, { result: outcome, ...extra }));
  }

  private stampEnd(step: StepRecord) {
    step.completedAt = new Date().toISOString();
    if (step.startedAt) step.durationMs = Date.parse(step.completedAt) - Date.parse(step.startedAt);
  }

  private stepStarted(s: RunState, step: StepRecord): PendingEvent {
    return {
      event: "step_started",
      data: { run_id: s.id, step_id: step.id, phase: step.phase, description: step.description, ...(step.action ? { action: step.action } : {}) },
    };
  }

  private stepCompleted(s: RunState, step: StepRecord, extra: Record<string, unknown>): PendingEvent {
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

  /** Writes the state and its new events in one transaction, then tells live subscribers. */
  private commit(events: PendingEvent[]): StoredEvent[] {
    const s = this.state!;
    const at = new Date().toISOString();
    s.updatedAt = at;
    const stored = events.map((e, i) => ({ seq: s.lastSeq + i + 1, event: e.event, data: e.data, at }));
    this.ctx.storage.transactionSync(() => {
      for (const event of stored) this.log.write(event);
      this.ctx.storage.kv.put("state", { ...s, lastSeq: s.lastSeq + stored.length });
    });
    s.lastSeq += stored.length;
    this.subscribers.broadcast(stored);
    if (isTerminal(s.status)) this.subscribers.closeAll("Run finished");
    return stored;
  }

  /** Delivers new events to the user's hub in order; the hub drops repeats, so retries are safe. */
  private flushToHub(): Promise<void> {
    this.hubFlush = this.hubFlush.then(async () => {
      const s = this.state!;
      const events = this.log.after(s.hubSeq);
      if (events.length === 0) return;
      try {
        await userHubStub(this.env, s.userId).publish(s.id, events);
        s.hubSeq = Math.max(s.hubSeq, events[events.length - 1]!.seq);
        this.ctx.storage.kv.put("state", s);
      } catch (err) {
        // The run never waits on the hub; the next flush retries from hubSeq.
        console.error(JSON.stringify({ level: "warn", msg: "hub publish failed", runId: s.id, error: String(err) }));
      }
    });
    return this.hubFlush;
  }

  private async syncRow() {
    const s = this.state!;
    await updateRunRow(createDatabase(this.env.DB), s.id, {
      status: s.status,
      steps: runView(s).steps,
      tokensUsed: s.tokensUsed,
      error: s.error,
      completedAt: s.completedAt,
      updatedAt: s.updatedAt,
    });
  }

  private owned(userId: string): RunState | null {
    return this.state && this.state.userId === userId ? this.state : null;
  }

  private llm(): LlmProvider | null {
    const parsed = configSchema.safeParse(this.env);
    return parsed.success ? llmProviderFrom(parsed.data) : null;
  }
}
