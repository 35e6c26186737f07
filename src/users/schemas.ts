import { z } from "zod";

export const updateProfileBody = z.object({
  displayName: z.string().trim().min(1).max(100).nullable(),
});
