import { z } from "@hono/zod-openapi";
import { workflowSummaryFields } from "../workflows/schemas";
import { pageQuery } from "../http/pagination";

export const MARKETPLACE_SORTS = ["popular", "recent", "rating"] as const;
export type MarketplaceSort = (typeof MARKETPLACE_SORTS)[number];

export const SEARCH_QUERY_MAX_CHARS = 200;
export const FEATURED_MAX = 20;
export const FEATURED_DEFAULT = 10;

const category = z.string().trim().min(1).max(50).optional();

export const browseQuery = pageQuery.extend({
  category,
  sort: z.enum(MARKETPLACE_SORTS).default("popular"),
});

// An empty `q` is dropped like any blank parameter (src/http/validate.ts) and then fails as
// missing: still a 400 on `q`. Lengths count characters (code points), so 200 emoji are as fine
// as 200 letters.
export const searchQuery = pageQuery.extend({
  q: z
    .string({ error: "q is required" })
    .trim()
    .min(1, "q must not be empty")
    .refine((q) => [...q].length <= SEARCH_QUERY_MAX_CHARS, `q must be at most ${SEARCH_QUERY_MAX_CHARS} characters`),
  category,
});

export const featuredQuery = z.object({
  limit: z.coerce.number().int().min(1).max(FEATURED_MAX).default(FEATURED_DEFAULT),
});

export type BrowseQuery = z.infer<typeof browseQuery>;
export type SearchQuery = z.infer<typeof searchQuery>;

export const marketplaceItemSchema = workflowSummaryFields
  .extend({
    ownerName: z.string().describe("The owner's display name, else their id (never an email)"),
    featured: z.boolean(),
  })
  .openapi("MarketplaceItem");
