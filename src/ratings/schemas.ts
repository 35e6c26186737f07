import { z } from "@hono/zod-openapi";
import { workflowStatsSchema } from "../workflows/schemas";

export const rateWorkflowBody = z.object({
  rating: z.number({ error: "rating must be an integer from 1 to 5" }).int("rating must be an integer from 1 to 5").min(1).max(5),
});

export type RateWorkflowInput = z.infer<typeof rateWorkflowBody>;

export const ratingSchema = z.object({
  workflowId: z.string(),
  rating: z.number().int().nullable().describe("Your rating, null when you have not rated"),
  stats: workflowStatsSchema.nullable(),
});

export const ratingRemovedSchema = ratingSchema.extend({ deleted: z.literal(true) });
