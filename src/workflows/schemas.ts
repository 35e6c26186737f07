import { z } from "zod";
import { manifestSchema } from "../manifest/schema";
import { SEMVER_PATTERN } from "../manifest/semver";
import { pageQuery } from "../http/pagination";

export const visibilitySchema = z.enum(["public", "private"]);

const workflowFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  manifest: manifestSchema,
  visibility: visibilitySchema.optional(),
  category: z.string().trim().min(1).max(50).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  changelog: z.string().max(2000).optional(),
};

export const createWorkflowBody = z.object(workflowFields);

/**
 * PUT takes the create body; fields left out keep their current values (documented in the
 * README), and `version` may name the new version explicitly.
 */
export const updateWorkflowBody = z
  .object({
    ...Object.fromEntries(Object.entries(workflowFields).map(([k, v]) => [k, v.optional()])),
    version: z.string().regex(SEMVER_PATTERN, "version must be MAJOR.MINOR.PATCH").optional(),
  } as { [K in keyof typeof workflowFields]: z.ZodOptional<(typeof workflowFields)[K]> } & {
    version: z.ZodOptional<z.ZodString>;
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: "the body must change at least one field",
  });

export const listWorkflowsQuery = pageQuery.extend({ visibility: visibilitySchema.optional() });

export type CreateWorkflowInput = z.infer<typeof createWorkflowBody>;
export type UpdateWorkflowInput = z.infer<typeof updateWorkflowBody>;
