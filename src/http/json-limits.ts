/**
 * The one bounded JSON reader for request bodies (REST `/v1`, `/rpc`, `/mcp`). `JSON.parse`
 * itself copes with deep input, but everything after it recurses (zod, error messages,
 * `JSON.stringify`, SQLite's JSON functions stop at 1,000 levels), so a body nested deeper
 * than any real request is refused before it is parsed, by a scan that never recurses.
 */

/** No real request comes close: a manifest step's parameters sit at depth 5. */
export const MAX_JSON_DEPTH = 64;

export interface JsonLimits {
  maxBytes: number;
  maxDepth?: number;
}

export type JsonReadResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: "too_large"; maxBytes: number; message: string }
  | { ok: false; reason: "too_deep"; maxDepth: number; message: string }
  | { ok: false; reason: "malformed"; message: string };

/** UTF-8 length without encoding when the UTF-16 length already decides (1 to 3 bytes per unit). */
function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return new TextEncoder().encode(text).length > maxBytes;
}

/**
 * True when arrays/objects nest deeper than `maxDepth`. Brackets inside strings do not count;
 * the scan does not validate (JSON.parse does that afterwards), it only bounds the depth.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** Size, then depth, then syntax: each refusal names its limit. */
export function readBoundedJson(text: string, limits: JsonLimits): JsonReadResult {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (exceedsBytes(text, limits.maxBytes)) {
    return { ok: false, reason: "too_large", maxBytes: limits.maxBytes, message: `Request body exceeds ${limits.maxBytes} bytes (MAX_BODY_BYTES)` };
  }
  if (nestsDeeperThan(text, maxDepth)) {
    return { ok: false, reason: "too_deep", maxDepth, message: `Request body nests arrays/objects deeper than ${maxDepth} levels (MAX_JSON_DEPTH)` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "malformed", message: "Request body is not valid JSON" };
  }
}

/** The `data`/`details` every refusal carries, so a client can tell which limit it hit. */
export function limitDetails(result: Exclude<JsonReadResult, { ok: true }>): Record<string, unknown> {
  if (result.reason === "too_large") return { limit: "MAX_BODY_BYTES", maxBytes: result.maxBytes };
  if (result.reason === "too_deep") return { limit: "MAX_JSON_DEPTH", maxDepth: result.maxDepth };
  return {};
}
