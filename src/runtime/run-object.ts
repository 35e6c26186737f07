import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import {
  claimAction,
  heartbeatAction,
  oldestReady,
  reportAction,
  type ActionRefusal,
  type ActionView,
  type ReportInput,
  type ReportResult,
} from "./run/actions";
import { decideApproval, type DecideResult } from "./run/approvals";
import type { LiveRun, RunContext } from "./run/context";
import { cancelRun, killRun, resumeRun, type KillLevel } from "./run/control";
import { RunJournal } from "./run/journal";
import { advance, startRun } from "./run/loop";
import { afterCommit } from "./run/after-commit";
import { ensureProgress, scheduleNext } from "./run/schedule";
import type { StreamRequest } from "./sse";
import { isTerminal, type StartRunInput } from "./types";
import { runView, type ApprovalView, type RunView } from "./view";

export type NextActionResult =
  | { action: ActionView }
  | { action: null; waiting_for?: { approval_id: string; step_id: string; description: string; approve_url: string } }
  | ActionRefusal;

export function runStub(env: Pick<Bindings, "RUN_OBJECT">, runId: string) {
  const ns = env.RUN_OBJECT;
  return ns.get(ns.idFromName(runId));
}

const waitingFor = (a: ApprovalView) => ({ approval_id: a.approval_id, step_id: a.step_id, description: a.description, approve_url: a.approve_url });

/**
 * One agent run: perceive → think → decide → act → learn, one phase (or one level of
 * actions) per alarm, with every transition committed to storage together with its events,
 * so an evicted or restarted object resumes from the last completed step (see ./run/).
 */
export class RunObject extends DurableObject<Bindings> {
  private readonly run: RunContext;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    const journal = new RunJournal(ctx.storage, env);
    this.run = { storage: ctx.storage, env, journal, state: journal.loadState(), inflight: null, executing: new Map() };
  }

  // Every method but start answers only the run's owner; others see "not found".

  async start(input: StartRunInput): Promise<void> {
    await startRun(this.run, input);
  }

  async snapshot(userId: string): Promise<RunView | null> {
    const run = this.owned(userId);
    if (!run) return null;
    await ensureProgress(run);
    return runView(run.state);
  }

  async cancel(userId: string, reason: string): Promise<boolean> {
    const run = this.owned(userId);
    return run ? cancelRun(run, reason, "cancel") : false;
  }

  async kill(userId: string, level: KillLevel, reason: string): Promise<boolean> {
    const run = this.owned(userId);
    return run ? killRun(run, level, reason) : false;
  }

  async resume(userId: string): Promise<boolean> {
    const run = this.owned(userId);
    return run ? resumeRun(run) : false;
  }

  async decide(userId: string, approvalId: string, decision: "approved" | "denied", parametersHash?: string): Promise<DecideResult> {
    const run = this.owned(userId);
    return run ? decideApproval(run, approvalId, decision, parametersHash) : { ok: false, reason: "not_found" };
  }

  /**
   * hydra.next_action for this run: claims the oldest ready action, or says which approval the
   * run waits for, or (long poll) waits up to `waitMs` for the run to change and looks again.
   */
  async nextAction(userId: string, waitMs: number, only?: string[]): Promise<NextActionResult> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const run = this.owned(userId);
      if (!run) return { refused: "not_found", message: "Run not found" };
      const s = run.state;
      if (isTerminal(s.status)) return { refused: "not_active", status: s.status, message: `Run '${s.id}' is not active (status ${s.status})` };
      const action = claimAction(run, only);
      if (action) {
        await afterCommit(run, { alarm: "next" });
        return { action };
      }
      const approval = runView(s).pending_approval;
      if (approval) return { action: null, waiting_for: waitingFor(approval) };
      const left = deadline - Date.now();
      if (left <= 0) return { action: null };
      await run.journal.waitForChange(left);
    }
  }

  /** When this run's oldest claimable action became ready (null: none), and its oldest waiting approval. */
  async peekAction(userId: string, only?: string[]): Promise<{ readyAt: string | null; waitingFor: ReturnType<typeof waitingFor> | null }> {
    const run = this.owned(userId);
    if (!run) return { readyAt: null, waitingFor: null };
    const approval = runView(run.state).pending_approval;
    return { readyAt: oldestReady(run.state, only), waitingFor: approval ? waitingFor(approval) : null };
  }

  async heartbeatAction(userId: string, actionId: string): Promise<{ lease_expires_at: string } | ActionRefusal> {
    const run = this.owned(userId);
    if (!run) return { refused: "not_found", message: `Action '${actionId}' was not found` };
    const result = heartbeatAction(run, actionId);
    if (!("refused" in result)) await scheduleNext(run);
    return result;
  }

  async reportAction(userId: string, actionId: string, report: ReportInput): Promise<ReportResult> {
    const run = this.owned(userId);
    if (!run) return { refused: "not_found", message: `Action '${actionId}' was not found` };
    const result = reportAction(run, actionId, report);
    if ("success" in result && !result.duplicate) {
      await afterCommit(run, { alarm: "next", row: true });
    }
    return result;
  }

  /** Account deletion, after the run was stopped: the run's storage (state, events, alarm) goes too. */
  async erase(userId: string): Promise<boolean> {
    if (!this.owned(userId)) return false;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.run.state = null;
    return true;
  }

  /** SSE for GET /runs/{id}/events (RPC, the stream is the return value); null: not found. */
  events(userId: string, request: StreamRequest): ReadableStream<Uint8Array> | null {
    const run = this.owned(userId);
    return run ? run.journal.openStream(run.state, request) : null;
  }

  override async alarm(): Promise<void> {
    if (this.run.state) await advance(this.run as LiveRun);
  }

  private owned(userId: string | null): LiveRun | null {
    return this.run.state && this.run.state.userId === userId ? (this.run as LiveRun) : null;
  }
}
