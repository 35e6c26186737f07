import { z } from "zod";

export const forkWorkflowBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
});

export type ForkWorkflowInput = z.infer<typeof forkWorkflowBody>;
