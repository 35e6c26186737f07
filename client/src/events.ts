import { errorFromResponse } from "./errors";

/** One server-sent event of a run (or of all runs): `id` is its sequence number. */
export interface RunEvent<T = Record<string, unknown>> {
  id: string | null;
  event: string;
  data: T;
}

/** The events after which a run's stream has nothing more to say. */
export const TERMINAL_EVENTS = new Set(["run_completed", "run_error", "run_cancelled"]);
/** Connection-level frames: they carry the stream's cursor, not a run's progress. */
const SYSTEM_EVENTS = new Set(["system_ready", "heartbeat", "system_shutdown"]);

export interface FollowOptions {
  /** Resume after this event id (as a reconnect would). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Also yield system_ready, heartbeat and system_shutdown. Default false. */
  includeSystem?: boolean;
  /** Reconnections in a row without a new event before giving up. Default 5. */
  maxReconnects?: number;
  /** Wait before a reconnection, doubled each time in a row. Default 250 ms. */
  retryDelayMs?: number;
}

/** Splits an SSE byte stream into events (one JSON `data:` line each, as the server writes them). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<RunEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | null = null;
        let event = "message";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") id = text;
          else if (field === "event") event = text;
          else if (field === "data") data.push(text);
        }
        if (data.length === 0 && id === null) continue;
        const raw = data.join("\n");
        let parsed: Record<string, unknown>;
        try {
          parsed = raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
        } catch {
          parsed = { raw };
        }
        yield { id, event, data: parsed };
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Follows an event stream until its run ends: on a dropped or closed connection it reconnects with
 * `Last-Event-ID` (the last id seen), so no event is lost or repeated. A stream that closes with
 * nothing new is checked with `isFinished` (the run may have ended before this connection).
 * HTTP errors (401, 404, …) are thrown as HydraApiError at once.
 */
export async function* followStream(
  open: (lastEventId: string | undefined, signal?: AbortSignal) => Promise<Response>,
  isFinished: () => Promise<boolean>,
  options: FollowOptions = {},
): AsyncGenerator<RunEvent> {
  let lastEventId = options.lastEventId;
  let emptyInARow = 0;
  const maxReconnects = options.maxReconnects ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 250;
  for (;;) {
    if (options.signal?.aborted) return;
    let sawEvent = false;
    try {
      const response = await open(lastEventId, options.signal);
      if (!response.ok || !response.body) throw await errorFromResponse(response);
      for await (const event of parseSse(response.body)) {
        if (event.id !== null) lastEventId = event.id;
        const system = SYSTEM_EVENTS.has(event.event);
        if (!system) sawEvent = true;
        if (!system || options.includeSystem) yield event;
        if (TERMINAL_EVENTS.has(event.event)) return;
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      // An HTTP refusal is final; a broken connection is retried below.
      if (err instanceof Error && err.name === "HydraApiError") throw err;
    }
    if (sawEvent) emptyInARow = 0;
    else if (await isFinished()) return;
    else emptyInARow += 1;
    if (emptyInARow > maxReconnects) return;
    await sleep(retryDelayMs * 2 ** Math.max(0, emptyInARow - 1), options.signal);
  }
}
