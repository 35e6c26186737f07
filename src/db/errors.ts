import { isAccountDeletedError } from "../users/tombstone";

/** D1 reports a unique-key violation only in its message (or its cause's). */
export function isUniqueViolation(err: unknown): boolean {
  if (isAccountDeletedError(err)) return false; // the account-deletion trigger's abort is a constraint error too
  const text = String((err as { message?: unknown })?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(text);
}
