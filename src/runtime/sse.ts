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

const eventFrame = (e: StoredEvent) => sseFrame(e.event, e.data, e.seq);

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/**
 * What a subscriber asks a Durable Object's event stream for: the Last-Event-ID it resumes
 * after (parsed once, at the edge; null: none) and the heartbeat interval.
 */
export interface StreamRequest {
  lastEventId: number | null;
  heartbeatMs: number;
}

/** `Last-Event-ID` as a sequence number; anything else means "none". */
export function parseLastEventId(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Frames written but not yet read by the client. */
  queued: number;
  /** Highest event id sent; connection-level frames repeat it so a reconnect resumes exactly here. */
  lastSeq: number;
  heartbeatMs: number;
  lifetime: ReturnType<typeof setTimeout> | undefined;
  ended: boolean;
}

/** Encoded event frames kept per object, so an event is encoded once for all its subscribers and replays. */
const FRAME_CACHE_BYTES = 2 * 1024 * 1024;

/**
 * The live subscribers of one Durable Object's event stream. Writes are never awaited, so a
 * slow or dead client cannot stall the run; one that falls too far behind is dropped.
 * Per subscriber there is only its stream: heartbeats share one timer per interval, and an
 * event's frame is encoded once (a fan-out of a thousand streams costs a thousand writes).
 */
export class SubscriberSet {
  private readonly subscribers = new Set<Subscriber>();
  private readonly heartbeats = new Map<number, { timer: ReturnType<typeof setInterval>; members: Set<Subscriber> }>();
  private readonly frames = new Map<number, Uint8Array>();
  private frameBytes = 0;

  /**
   * Opens a stream: system_ready, then `backlog`, then live events (unless `closeAfterBacklog`).
   * A native byte stream, so the Durable Object can return it over RPC (a JavaScript stream
   * would not learn that the client went away): once the client is gone, the next frame
   * written (an event or a heartbeat) fails and drops the subscriber and its timers.
   */
  open(options: { heartbeatMs: number; cursor: number; backlog: StoredEvent[]; closeAfterBacklog?: string | undefined; lifetimeMs?: number }): ReadableStream<Uint8Array> {
    const { readable, writable } = new IdentityTransformStream();
    const sub: Subscriber = { writer: writable.getWriter(), queued: 0, lastSeq: options.cursor, heartbeatMs: options.heartbeatMs, lifetime: undefined, ended: false };
    this.write(sub, sseFrame("system_ready", { version: SSE_VERSION }, sub.lastSeq));
    for (const event of options.backlog) this.send(sub, event);
    if (options.closeAfterBacklog) {
      this.shutdown(sub, options.closeAfterBacklog);
    } else {
      this.subscribers.add(sub);
      this.joinHeartbeat(sub);
      if (options.lifetimeMs) {
        sub.lifetime = setTimeout(() => this.shutdown(sub, "Stream lifetime reached; reconnect with Last-Event-ID"), options.lifetimeMs);
      }
    }
    return readable;
  }

  broadcast(events: StoredEvent[]) {
    for (const sub of this.subscribers) for (const event of events) this.send(sub, event);
  }

  /** Ends every stream with system_shutdown, and forgets the encoded frames (an erased log starts its ids again). */
  closeAll(reason: string) {
    for (const sub of [...this.subscribers]) this.shutdown(sub, reason);
    this.frames.clear();
    this.frameBytes = 0;
  }

  private send(sub: Subscriber, event: StoredEvent) {
    if (event.seq <= sub.lastSeq) return;
    sub.lastSeq = event.seq;
    this.write(sub, this.frameOf(event));
  }

  /** The event's encoded frame, from the cache (bounded in bytes; the oldest frames leave first). */
  private frameOf(event: StoredEvent): Uint8Array {
    const cached = this.frames.get(event.seq);
    if (cached) return cached;
    const frame = eventFrame(event);
    this.frames.set(event.seq, frame);
    this.frameBytes += frame.byteLength;
    for (const [seq, old] of this.frames) {
      if (this.frameBytes <= FRAME_CACHE_BYTES) break;
      this.frames.delete(seq);
      this.frameBytes -= old.byteLength;
    }
    return frame;
  }

  /** Heartbeats share one timer per interval (each frame still carries its subscriber's last id). */
  private joinHeartbeat(sub: Subscriber) {
    let beat = this.heartbeats.get(sub.heartbeatMs);
    if (!beat) {
      const members = new Set<Subscriber>();
      const timer = setInterval(() => {
        // Members nearly always share their last id: one encoded frame per distinct id per tick.
        const frames = new Map<number, Uint8Array>();
        for (const member of members) {
          let frame = frames.get(member.lastSeq);
          if (!frame) frames.set(member.lastSeq, (frame = sseFrame("heartbeat", { status: "alive" }, member.lastSeq)));
          this.write(member, frame);
        }
      }, sub.heartbeatMs);
      beat = { timer, members };
      this.heartbeats.set(sub.heartbeatMs, beat);
    }
    beat.members.add(sub);
  }

  private leaveHeartbeat(sub: Subscriber) {
    const beat = this.heartbeats.get(sub.heartbeatMs);
    if (!beat?.members.delete(sub) || beat.members.size > 0) return;
    clearInterval(beat.timer);
    this.heartbeats.delete(sub.heartbeatMs);
  }

  private shutdown(sub: Subscriber, reason: string) {
    this.write(sub, sseFrame("system_shutdown", { reason }, sub.lastSeq));
    this.drop(sub, false);
  }

  private write(sub: Subscriber, frame: Uint8Array) {
    if (sub.ended) return;
    if (sub.queued >= MAX_QUEUED_FRAMES) {
      this.drop(sub, true);
      return;
    }
    sub.queued += 1;
    sub.writer.write(frame).then(
      () => void (sub.queued -= 1),
      () => this.drop(sub, true),
    );
  }

  /** Forgets the subscriber; `abort` ends its stream at once (gone or too far behind), else after what is queued. */
  private drop(sub: Subscriber, abort: boolean) {
    if (sub.ended) return;
    sub.ended = true;
    this.leaveHeartbeat(sub);
    clearTimeout(sub.lifetime);
    this.subscribers.delete(sub);
    const done = abort ? sub.writer.abort("subscriber dropped") : sub.writer.close();
    done.catch(() => undefined);
  }
}
