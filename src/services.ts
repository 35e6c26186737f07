/** Per-request services, injected by middleware so tests and handlers share one wiring. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A prefixed, URL-safe random id such as `wf_3kT9x...`. */
  create(prefix: string): string;
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function randomToken(length: number): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  const out: string[] = [];
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 248 && out.length < length) out.push(ALPHABET[b % 62]!);
    }
  }
  return out.join("");
}

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = { create: (prefix) => `${prefix}_${randomToken(16)}` };
