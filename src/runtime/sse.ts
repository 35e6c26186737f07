import type { StoredEvent } from "./types";

export const SSE_VERSION = "0.1.0";
/** A subscriber this many frames behind is dropped (it can reconnect with Last-Event-ID). */
const MAX_QUEUED_FRAMES = 512;

const encoder = new TextEncoder();

/** One SSE frame. Data is one JSON line, so no multi-line `data:` splitting is needed. */
export function sseFrame(event: string, data: unknown, id?: number): Uint8Array {
  const idLine = id === undefined ? "" : `id: ${id}\n`;
  return encoder.encode(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export const eventFrame = (e: StoredEvent) => sseFrame(e.event, e.data, e.seq);

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/** `Last-Event-ID` as a sequence number; anything else means "none". */
export function parseLastEventId(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Highest event id sent; connection-level frames repeat it so a reconnect resumes exactly here. */
  lastSeq: number;
  heartbeat: ReturnType<typeof setInterval>;
  lifetime: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The live subscribers of one Durable Object's event stream. Writes are never awaited, so a
 * slow or dead client cannot stall the run; one that falls too far behind is dropped.
 */
export class SubscriberSet {
  private readonly subscribers = new Set<Subscriber>();

  /** Opens a stream: system_ready, then `backlog`, then live events (unless `closeAfterBacklog`). */
  open(options: { heartbeatMs: number; cursor: number; backlog: StoredEvent[]; closeAfterBacklog?: string | undefined; lifetimeMs?: number }): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const sub: Subscriber = { writer, lastSeq: options.cursor, heartbeat: 0 as unknown as ReturnType<typeof setInterval>, lifetime: undefined };
    this.write(sub, sseFrame("system_ready", { version: SSE_VERSION }, sub.lastSeq));
    for (const event of options.backlog) this.send(sub, event);
    if (options.closeAfterBacklog) {
      this.shutdown(sub, options.closeAfterBacklog);
    } else {
      sub.heartbeat = setInterval(() => this.write(sub, sseFrame("heartbeat", { status: "alive" }, sub.lastSeq)), options.heartbeatMs);
      if (options.lifetimeMs) {
        sub.lifetime = setTimeout(() => this.shutdown(sub, "Stream lifetime reached; reconnect with Last-Event-ID"), options.lifetimeMs);
      }
      this.subscribers.add(sub);
    }
    return new Response(readable, { status: 200, headers: SSE_HEADERS });
  }

  broadcast(events: StoredEvent[]) {
    for (const sub of this.subscribers) for (const event of events) this.send(sub, event);
  }

  /** Ends every stream with system_shutdown. */
  closeAll(reason: string) {
    for (const sub of [...this.subscribers]) this.shutdown(sub, reason);
  }

  private send(sub: Subscriber, event: StoredEvent) {
    if (event.seq <= sub.lastSeq) return;
    sub.lastSeq = event.seq;
    this.write(sub, eventFrame(event));
  }

  private shutdown(sub: Subscriber, reason: string) {
    this.write(sub, sseFrame("system_shutdown", { reason }, sub.lastSeq));
    this.drop(sub, false);
  }

  private write(sub: Subscriber, frame: Uint8Array) {
    const queued = sub.writer.desiredSize;
    if (queued !== null && queued < -MAX_QUEUED_FRAMES) {
      this.drop(sub, true);
      return;
    }
    sub.writer.write(frame).catch(() => this.drop(sub, true));
  }

  private drop(sub: Subscriber, abort: boolean) {
    clearInterval(sub.heartbeat);
    if (sub.lifetime !== undefined) clearTimeout(sub.lifetime);
    this.subscribers.delete(sub);
    const done = abort ? sub.writer.abort("subscriber dropped") : sub.writer.close();
    done.catch(() => undefined);
  }
}
