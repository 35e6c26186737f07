import { z } from "@hono/zod-openapi";
import { pageQuery } from "../http/pagination";
import { ADAPTERS, adapterSchema, storedAdapters } from "../manifest/schema";

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

// Responses
const workflowRef = z.object({ workflowId: z.string(), name: z.string(), version: z.string(), isOwned: z.boolean() });

export const deploymentSchema = z
  .object({
    deploymentId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    workflows: z.array(workflowRef).describe("The workflows served, each at the version the owner's library says"),
    enabledAdapters: storedAdapters,
    status: z.enum(["active", "inactive"]),
    allowAnonymous: z.boolean(),
    authMode: z.enum(["header", "oauth"]).describe("How IDEs sign in: OAuth discovery served (oauth) or header credentials only (header)"),
    mcpEndpoint: z.string().describe("The MCP Streamable HTTP URL of this deployment"),
    usage: z.object({ connectionsThisMonth: z.number().int(), lastConnectedAt: z.string().nullable() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Deployment");

export const deploymentDeletedSchema = z.object({ deploymentId: z.string(), deleted: z.literal(true) });

export const adapterToggledSchema = z.object({ deploymentId: z.string(), enabledAdapters: storedAdapters });

export const deploymentUsageSchema = z
  .object({
    deploymentId: z.string(),
    period: z.enum(["day", "week", "month"]),
    connections: z.object({
      total: z.number().int(),
      limit: z.number().int().nullable().describe("Connections per month of the owner's plan; null is unlimited"),
      remaining: z.number().int().nullable(),
    }),
    byAdapter: z.object(Object.fromEntries(ADAPTERS.map((a) => [a, z.number().int()])) as Record<(typeof ADAPTERS)[number], z.ZodNumber>),
    byDay: z.array(z.object({ date: z.string(), count: z.number().int() })).describe("Every day of the period, zeros included"),
  })
  .openapi("DeploymentUsage");

const codexFunction = z.object({
  name: z.string(),
  description: z.string(),
  parameters: z.object({
    type: z.literal("object"),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())),
    required: z.array(z.string()),
    additionalProperties: z.boolean(),
  }),
});

export const renderedPromptsSchema = z
  .object({
    deploymentId: z.string(),
    adapter: adapterSchema,
    enabled: z.boolean(),
    prompts: z.array(
      z.object({
        name: z.string().describe("The MCP prompt name"),
        workflowId: z.string(),
        workflowName: z.string(),
        version: z.string(),
        isOwned: z.boolean(),
        description: z.string().nullable(),
        text: z.string(),
        functions: z.array(codexFunction).optional(),
      }),
    ),
    functions: z.array(codexFunction).optional().describe("codex only: every step of every workflow as one function list"),
  })
  .openapi("RenderedPrompts");
