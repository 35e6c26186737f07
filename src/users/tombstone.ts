import { ApiError } from "../errors";

/**
 * The message of the insert triggers in migrations/0002_reliability.sql: a write of an account
 * that is being (or has been) deleted aborted inside its own statement.
 */
const ACCOUNT_DELETED_MARKER = "account_deleted";

export function isAccountDeletedError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (String((e as { message?: unknown }).message ?? e).includes(ACCOUNT_DELETED_MARKER)) return true;
  }
  return false;
}

export const accountDeleted = () =>
  new ApiError("UNAUTHORIZED", "This account has been deleted", {}, { "WWW-Authenticate": "Bearer" });

/** A token issued at or before the deletion belongs to the deleted account (iat has one-second resolution: the deletion's second counts as before). */
export function issuedBeforeDeletion(issuedAtSeconds: number, deletedAt: string): boolean {
  return issuedAtSeconds * 1000 <= Date.parse(deletedAt);
}
