/** D1 reports a unique-key violation only in its message (or its cause's). */
export function isUniqueViolation(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(text);
}
