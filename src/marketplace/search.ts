/**
 * Turns free text into an FTS5 MATCH expression that cannot be a syntax error: every
 * whitespace-separated token becomes a string literal ("..." with quotes doubled), so
 * operators such as AND, OR, NOT, NEAR, `*`, `-`, `^`, `:` and parentheses are plain text.
 * Tokens are ANDed (FTS5's implicit operator); the last token also matches as a prefix so
 * search-as-you-type works. Returns null when nothing searchable is left.
 */
export function toFtsMatchExpression(query: string): string | null {
  const tokens = query
    .replace(/\p{C}/gu, " ")
    .split(/\s+/)
    // The unicode61 tokenizer indexes only letters and digits; a token without any would be
    // an empty phrase, which can never match.
    .filter((token) => /[\p{L}\p{N}]/u.test(token));
  if (tokens.length === 0) return null;
  return tokens
    .map((token, index) => `"${token.replace(/"/g, '""')}"${index === tokens.length - 1 ? "*" : ""}`)
    .join(" ");
}
