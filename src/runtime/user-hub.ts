import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { EventLog } from "./event-log";
import { SubscriberSet, type StreamRequest } from "./sse";
import type { StoredEvent } from "./types";
import { waitForWake, wakeAll } from "./wake";

/** The newest events kept per user for /events replay. */
export const HUB_EVENT_RETENTION = 1000;
/** /events streams are closed (with system_shutdown) after this long; clients reconnect with Last-Event-ID. */
export const HUB_STREAM_LIFETIME_MS = 15 * 60_000;

export function userHubStub(env: Bindings, userId: string) {
  const ns = env.USER_HUB;
  return ns.get(ns.idFromName(`user:${userId}`));
}

export function healthProbeStub(env: Bindings) {
  const ns = env.USER_HUB;
  return ns.get(ns.idFromName("system:health"));
}

/**
 * One per user: run objects publish their events here; it re-sequences them into the
 * user's own ordered log (its own ids) and fans them out to every GET /events stream.
 */
export class UserHub extends DurableObject<Bindings> {
  private readonly log: EventLog;
  private readonly subscribers = new SubscriberSet();
  /** When this object instance started; reported as the runtime's uptime by health checks. */
  private readonly startedAt = Date.now();
  /** hydra.next_action long polls across the user's runs, woken when an action is delegated. */
  private readonly actionWaiters = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.log = new EventLog(ctx.storage.kv, HUB_EVENT_RETENTION);
  }

  /** Appends a run's events; ones already seen (by run sequence) are dropped, so retries are safe. */
  publish(runId: string, events: StoredEvent[]): number {
    const kv = this.ctx.storage.kv;
    const seenKey = `run:${runId}`;
    const seen = kv.get<number>(seenKey) ?? 0;
    const fresh = events.filter((e) => e.seq > seen).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) return 0;
    let seq = kv.get<number>("seq") ?? 0;
    const delegated = fresh.filter((e) => e.event === "action_delegated").length;
    const stored: StoredEvent[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const e of fresh) {
        const event = { seq: ++seq, event: e.event, data: e.data, at: e.at };
        this.log.write(event);
        stored.push(event);
      }
      kv.put("seq", seq);
      kv.put(seenKey, fresh[fresh.length - 1]!.seq);
      if (delegated > 0) kv.put("actions", this.actionCount() + delegated);
    });
    this.subscribers.broadcast(stored);
    if (delegated > 0) wakeAll(this.actionWaiters);
    return stored.length;
  }

  /** How many actions the user's runs have delegated so far (a change counter for long polls). */
  actionCount(): number {
    return this.ctx.storage.kv.get<number>("actions") ?? 0;
  }

  /** Resolves once more than `seen` actions were delegated, or after `ms`; answers the count. */
  async waitForAction(seen: number, ms: number): Promise<number> {
    if (this.actionCount() > seen || ms <= 0) return this.actionCount();
    await waitForWake(this.actionWaiters, ms);
    return this.actionCount();
  }

  /** Account deletion: ends the user's streams and forgets their event log. */
  async erase(): Promise<void> {
    this.subscribers.closeAll("Account deleted");
    await this.ctx.storage.deleteAll();
  }

  /** Health probe: proves Durable Objects answer, and how long this instance has been up. */
  ping(): { uptimeSeconds: number } {
    return { uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000) };
  }

  /** SSE for GET /events (RPC, the stream is the return value): from Last-Event-ID if given, else from now. */
  events(request: StreamRequest): ReadableStream<Uint8Array> {
    const head = this.ctx.storage.kv.get<number>("seq") ?? 0;
    const cursor = request.lastEventId === null ? head : Math.min(request.lastEventId, head);
    return this.subscribers.open({
      heartbeatMs: request.heartbeatMs,
      cursor,
      backlog: this.log.after(cursor),
      lifetimeMs: HUB_STREAM_LIFETIME_MS,
    });
  }
}
