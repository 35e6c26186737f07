import { z } from "zod";

export const rateWorkflowBody = z.object({
  rating: z.number({ error: "rating must be an integer from 1 to 5" }).int("rating must be an integer from 1 to 5").min(1).max(5),
});

export type RateWorkflowInput = z.infer<typeof rateWorkflowBody>;
