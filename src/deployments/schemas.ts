import { z } from "zod";
import { pageQuery } from "../http/pagination";
import { ADAPTERS, adapterSchema } from "../manifest/schema";

const workflowIdsField = z
  .array(z.string().trim().min(1).max(100))
  .min(1, "a deployment needs at least one workflow")
  .max(50)
  .transform((ids) => [...new Set(ids)]);

const adaptersField = z
  .array(adapterSchema)
  .min(1, "enable at least one adapter")
  .transform((list) => ADAPTERS.filter((a) => list.includes(a)));

const fields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullable().optional(),
  workflowIds: workflowIdsField,
  enabledAdapters: adaptersField.optional(),
  allowAnonymous: z.boolean().optional(),
  /** "oauth" (default) advertises OAuth sign-in to IDEs; "header" hides it. A header credential works in both. */
  authMode: z.enum(["header", "oauth"]).optional(),
};

export const createDeploymentBody = z.object(fields);

/** PUT changes only the fields given. */
export const updateDeploymentBody = z
  .object({ ...fields, name: fields.name.optional(), workflowIds: workflowIdsField.optional() })
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: "the body must change at least one field",
  });

export const adapterToggleBody = z.object({ adapter: adapterSchema, enabled: z.boolean() });

export const listDeploymentsQuery = pageQuery.extend({ status: z.enum(["active", "inactive"]).optional() });

export const usageQuery = z.object({ period: z.enum(["day", "week", "month"]).default("month") });

export type CreateDeploymentInput = z.infer<typeof createDeploymentBody>;
export type UpdateDeploymentInput = z.infer<typeof updateDeploymentBody>;
