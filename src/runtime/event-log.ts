import type { StoredEvent } from "./types";

const PREFIX = "ev:";
/** The first key after every `ev:` key (";" follows ":" in ASCII). */
const END = "ev;";
/** Zero-padded so lexicographic key order is sequence order. */
const keyOf = (seq: number) => `${PREFIX}${String(seq).padStart(12, "0")}`;

/**
 * An ordered, bounded event log in Durable Object storage (synchronous KV API, so an append
 * and the state it belongs to commit together). Only the newest `retention` events are kept.
 */
export class EventLog {
  constructor(
    private readonly kv: SyncKvStorage,
    private readonly retention: number,
  ) {}

  write(event: StoredEvent) {
    this.kv.put(keyOf(event.seq), event);
    const expired = event.seq - this.retention;
    if (expired > 0) this.kv.delete(keyOf(expired));
  }

  /** Events with a sequence greater than `seq`, oldest first. */
  after(seq: number, limit = this.retention): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const [, value] of this.kv.list<StoredEvent>({ start: keyOf(seq + 1), end: END, limit })) out.push(value);
    return out;
  }
}
