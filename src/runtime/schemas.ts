import { z } from "zod";

const runId = z.string().trim().min(1, "run_id is required").max(100);

export const runParams = z
  .object({
    intent: z.string().trim().min(1, "intent must not be empty").max(4000).optional(),
    workflowId: z.string().trim().min(1).max(100).optional(),
    /** Accepted as an alias of workflowId. */
    workflow_id: z.string().trim().min(1).max(100).optional(),
    version: z.string().trim().min(1).max(50).optional(),
  })
  .strict()
  .transform(({ workflow_id, ...rest }) => ({ ...rest, workflowId: rest.workflowId ?? workflow_id }))
  .superRefine((p, ctx) => {
    if (p.intent === undefined && p.workflowId === undefined) {
      ctx.addIssue({ code: "custom", path: ["intent"], message: "intent is required (or give a workflowId)" });
    }
    if (p.version !== undefined && p.workflowId === undefined) {
      ctx.addIssue({ code: "custom", path: ["version"], message: "version needs a workflowId" });
    }
  });

export const cancelParams = z.object({ run_id: runId, reason: z.string().max(500).optional() }).strict();

export const KILL_LEVELS = ["instant", "graceful", "freeze"] as const;
export const killParams = z
  .object({
    level: z.enum(KILL_LEVELS, { error: `level must be one of: ${KILL_LEVELS.join(", ")}` }).default("graceful"),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const resumeParams = z.object({ run_id: runId.optional() }).strict();

export const approveParams = z
  .object({
    approval_id: z.string().trim().min(1, "approval_id is required").max(100),
    decision: z.enum(["approved", "denied"], { error: 'decision must be "approved" or "denied"' }),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const statusParams = z
  .object({
    run_id: runId.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const healthParams = z.object({}).strict();
