import { sha256Hex } from "../services";
import { canonicalJson } from "../workflows/service";

/**
 * Lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of a step's parameters: what a
 * person approves. `canonicalJson` sorts keys by UTF-16 code units and serialises numbers and
 * strings as ECMAScript's JSON.stringify does, which is what JCS specifies for JSON values.
 */
export async function parametersHash(parameters: Record<string, unknown>): Promise<string> {
  return sha256Hex(canonicalJson(parameters));
}
