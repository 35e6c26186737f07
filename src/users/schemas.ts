import { z } from "@hono/zod-openapi";
import { PLAN_NAMES, type Plan } from "../plans";

export const updateProfileBody = z.object({
  displayName: z.string().trim().min(1).max(100).nullable(),
});

export const userProfileSchema = z
  .object({
    userId: z.string(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    plan: z.enum(PLAN_NAMES as [Plan, ...Plan[]]),
    workflowCount: z.number().int(),
    deploymentCount: z.number().int(),
    subscriptionCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("UserProfile");

const count = z.number().int();

export const accountDeletedSchema = z.object({
  userId: z.string(),
  deleted: z.literal(true),
  deletedAt: z.string(),
  stats: z.object({
    workflows: count,
    workflowVersions: count,
    deployments: count,
    deploymentPrompts: count,
    deploymentLookups: count,
    subscriptions: count,
    subscriberEntries: count,
    billingRecords: count,
  }),
});
