import { sql, type SQL, type SQLWrapper } from "drizzle-orm";

/**
 * Bayesian average used to order the marketplace by rating:
 *
 *   score = (C·m + sum) / (C + n)      unrated (n = 0) → -1, so they sort last
 *
 * with prior mean m = 3 (the middle of the 1..5 scale) and prior weight C = 5 votes. One 5-star
 * vote scores (15 + 5) / 6 ≈ 3.33 while fifty 4.8s score (15 + 240) / 55 ≈ 4.64. The prior is
 * fixed rather than the global mean so a workflow's score never moves because of other
 * workflows' votes, which keeps keyset cursors stable.
 */
export const RATING_PRIOR_MEAN = 3;
export const RATING_PRIOR_WEIGHT = 5;

const PRIOR_TOTAL = sql.raw(`${(RATING_PRIOR_MEAN * RATING_PRIOR_WEIGHT).toFixed(1)}`);
const PRIOR_WEIGHT = sql.raw(String(RATING_PRIOR_WEIGHT));

/**
 * The score as one SQL expression. Cursors store (sum, count) and the same expression is
 * evaluated on them, so the comparison uses bit-identical doubles on both sides.
 */
export function bayesianScore(sum: SQLWrapper | number, count: SQLWrapper | number): SQL<number> {
  return sql<number>`(CASE WHEN ${count} = 0 THEN -1.0 ELSE (${PRIOR_TOTAL} + ${sum}) / (${PRIOR_WEIGHT} + ${count}) END)`;
}
