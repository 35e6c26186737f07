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

/** Lowercase hex of bytes: digests, signatures, random ids. */
export const hexOf = (bytes: ArrayBuffer | Uint8Array): string => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** SHA-256 of UTF-8 text, in lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  return hexOf(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = { create: (prefix) => `${prefix}_${randomToken(16)}` };
