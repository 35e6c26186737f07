import { createDatabase } from "../../db/client";
import { runLogger } from "../../log";
import type { Bindings } from "../../env";
import { EventLog } from "../event-log";
import { updateRunRow } from "../runs-store";
import { SubscriberSet, type StreamRequest } from "../sse";
import { isTerminal, type RunState } from "../types";
import { userHubStub } from "../user-hub";
import { runView } from "../view";
import { waitForWake, wakeAll } from "../wake";
import type { PendingEvent } from "./steps";
import { upgradeRunState, type StoredState } from "./stored-state";

/** The newest events kept per run (older ones are deleted as new ones arrive). */
const RUN_EVENT_RETENTION = 1000;
const STATE_KEY = "state";
const OUTPUT_PREFIX = "output:";

/**
 * Where a run's state and events go: Durable Object storage (state and event log in one
 * transaction, so a restart never sees one without the other), live SSE subscribers of the
 * run, the user's hub, and the D1 history row.
 */
export class RunJournal {
  private readonly log: EventLog;
  private readonly subscribers = new SubscriberSet();
  private hubFlush: Promise<void> = Promise.resolve();
  /** Long polls (hydra.next_action) waiting for the run to change. */
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Bindings,
  ) {
    this.log = new EventLog(storage.kv, RUN_EVENT_RETENTION);
  }

  /** The stored state, upgraded from whatever version stored it; null before the run starts. */
  loadState(): RunState | null {
    const stored = this.storage.kv.get<StoredState>(STATE_KEY);
    return stored ? upgradeRunState(stored) : null;
  }

  /** A step's whole output (the state keeps an excerpt); written with the next commit. */
  putOutput(stepId: string, output: unknown) {
    this.storage.kv.put(`${OUTPUT_PREFIX}${stepId}`, output);
  }

  getOutput(stepId: string): unknown {
    return this.storage.kv.get(`${OUTPUT_PREFIX}${stepId}`);
  }

  /** Resolves at the next commit, or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return waitForWake(this.waiters, ms);
  }

  /** Writes the state and its new events in one transaction, then tells live subscribers. */
  commit(s: RunState, events: PendingEvent[]) {
    const at = new Date().toISOString();
    s.updatedAt = at;
    // A finished run calls no provider again, so its credentials leave storage with this commit.
    if (isTerminal(s.status) && s.settings.llm?.apiKey) s.settings.llm = { ...s.settings.llm, apiKey: null };
    const stored = events.map((e, i) => ({ seq: s.lastSeq + i + 1, event: e.event, data: e.data, at }));
    this.storage.transactionSync(() => {
      for (const event of stored) this.log.write(event);
      this.storage.kv.put(STATE_KEY, { ...s, lastSeq: s.lastSeq + stored.length });
    });
    s.lastSeq += stored.length;
    this.subscribers.broadcast(stored);
    if (isTerminal(s.status)) this.subscribers.closeAll("Run finished");
    wakeAll(this.waiters);
  }

  /** Delivers new events to the user's hub in order; the hub drops repeats, so retries are safe. */
  flushToHub(s: RunState): Promise<void> {
    this.hubFlush = this.hubFlush.then(async () => {
      const events = this.log.after(s.hubSeq);
      if (events.length === 0) return;
      try {
        await userHubStub(this.env, s.userId).publish(s.id, events);
        s.hubSeq = Math.max(s.hubSeq, events[events.length - 1]!.seq);
        this.storage.kv.put(STATE_KEY, s);
      } catch (err) {
        // The run never waits on the hub; the next flush retries from hubSeq.
        runLogger(s.id).warn("hub publish failed", { error: String(err) });
      }
    });
    return this.hubFlush;
  }

  async syncRow(s: RunState) {
    await updateRunRow(createDatabase(this.env.DB), s.id, {
      status: s.status,
      steps: runView(s).steps,
      tokensUsed: s.tokensUsed,
      error: s.error,
      completedAt: s.completedAt,
      updatedAt: s.updatedAt,
    });
  }

  /** The run's SSE stream: the log from Last-Event-ID (or the start), then live. */
  openStream(s: RunState, request: StreamRequest): ReadableStream<Uint8Array> {
    const cursor = Math.min(request.lastEventId ?? 0, s.lastSeq);
    return this.subscribers.open({
      heartbeatMs: request.heartbeatMs,
      cursor,
      backlog: this.log.after(cursor),
      closeAfterBacklog: isTerminal(s.status) ? "Run finished" : undefined,
    });
  }
}
