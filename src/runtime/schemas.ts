import { z } from "zod";
import { ACTIONS } from "../manifest/schema";

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
    /** The parameters the person saw; a mismatch is refused (`parameters_changed`). */
    parameters_hash: z.string().regex(/^[0-9a-fA-F]{64}$/, "parameters_hash must be a hex sha256").optional(),
  })
  .strict();

export const MAX_WAIT_SECONDS = 25;
/** Reported outputs are bounded (64 KB of UTF-8). */
export const MAX_OUTPUT_BYTES = 64 * 1024;

const actionId = z.string().trim().min(1, "action_id is required").max(200);

export const nextActionParams = z
  .object({
    run_id: runId.optional(),
    wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS, `wait_seconds must be between 0 and ${MAX_WAIT_SECONDS}`).default(0),
    /** Only claim actions of these types (a script that can only run commands leaves the rest). */
    actions: z.array(z.enum(ACTIONS)).min(1).max(ACTIONS.length).optional(),
  })
  .strict();

export const heartbeatParams = z.object({ action_id: actionId }).strict();

export const reportParams = z
  .object({
    action_id: actionId,
    outcome: z.enum(["succeeded", "failed"], { error: 'outcome must be "succeeded" or "failed"' }),
    output: z
      .string()
      .refine((v) => new TextEncoder().encode(v).length <= MAX_OUTPUT_BYTES, `output must be at most ${MAX_OUTPUT_BYTES} bytes`)
      .optional(),
    error: z.string().max(4000).optional(),
  })
  .strict();

export const runsParams = z
  .object({
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(1000).optional(),
    status: z.enum(["pending", "running", "completed", "failed", "cancelled", "frozen"]).optional(),
    workflow_id: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const statusParams = z
  .object({
    run_id: runId.optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const healthParams = z.object({}).strict();
