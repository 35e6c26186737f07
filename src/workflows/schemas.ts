import { z } from "@hono/zod-openapi";
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

// Responses (documented in /openapi.json; the routes' tests check real bodies against them).

/** A stored HMS manifest, as it was validated on create/update (see the request schema). */
export const storedManifest = z.record(z.string(), z.unknown()).describe("The HMS manifest");

export const workflowStatsSchema = z.object({
  forks: z.number().int(),
  subscribers: z.number().int(),
  rating: z.number().nullable().describe("Average rating (two decimals), null before the first rating"),
  ratingCount: z.number().int(),
});

/** Unregistered, so the schemas built on it are documented whole (not as `allOf`). */
export const workflowSummaryFields = z.object({
    workflowId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    visibility: visibilitySchema,
    category: z.string().nullable(),
    tags: z.array(z.string()),
    currentVersion: z.string(),
    stats: workflowStatsSchema,
    forkedFrom: z.object({ workflowId: z.string(), userId: z.string().nullable(), version: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });

export const workflowSummarySchema = workflowSummaryFields.openapi("WorkflowSummary");

export const workflowDetailSchema = workflowSummaryFields.extend({ manifest: storedManifest }).openapi("Workflow");

export const workflowVersionSchema = z.object({ version: z.string(), createdAt: z.string(), changelog: z.string().nullable() });

export const workflowVersionDetailSchema = z.object({
  workflowId: z.string(),
  version: z.string(),
  manifest: storedManifest,
  changelog: z.string().nullable(),
  createdAt: z.string(),
});

export const workflowDeletedSchema = z.object({ workflowId: z.string(), deleted: z.literal(true) });
