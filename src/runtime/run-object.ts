import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { decideApproval, type DecideResult } from "./run/approvals";
import type { LiveRun, RunContext } from "./run/context";
import { cancelRun, killRun, resumeRun, type KillLevel } from "./run/control";
import { RunJournal } from "./run/journal";
import { advance, startRun } from "./run/loop";
import { ensureProgress } from "./run/schedule";
import type { StartRunInput } from "./types";
import { runView, type RunView } from "./view";

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
    this.run = { storage: ctx.storage, env, journal, state: journal.loadState(), inflight: null };
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

  async decide(userId: string, approvalId: string, decision: "approved" | "denied"): Promise<DecideResult> {
    const run = this.owned(userId);
    return run ? decideApproval(run, approvalId, decision) : { ok: false, reason: "not_found" };
  }

  /** Account deletion, after the run was stopped: the run's storage (state, events, alarm) goes too. */
  async erase(userId: string): Promise<boolean> {
    if (!this.owned(userId)) return false;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.run.state = null;
    return true;
  }

  /** SSE for GET /runs/{id}/events. */
  override async fetch(request: Request): Promise<Response> {
    const run = this.owned(request.headers.get("X-Hydra-User"));
    if (!run) return new Response("not found", { status: 404 });
    return run.journal.openStream(run.state, request);
  }

  override async alarm(): Promise<void> {
    if (this.run.state) await advance(this.run as LiveRun);
  }

  private owned(userId: string | null): LiveRun | null {
    return this.run.state && this.run.state.userId === userId ? (this.run as LiveRun) : null;
  }
}
