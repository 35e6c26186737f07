import { z } from "@hono/zod-openapi";

export const forkWorkflowBody = z.object({
  // null asks for the default name, like leaving it out.
  name: z.string().trim().min(1).max(200).nullish(),
});

export type ForkWorkflowInput = z.infer<typeof forkWorkflowBody>;
