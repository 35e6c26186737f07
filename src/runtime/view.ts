import type { RunState, RunStatus, StepRecord } from "./types";

export interface StepView {
  id: string;
  description: string;
  status: StepRecord["status"];
  phase: StepRecord["phase"];
  action?: string;
  outcome?: string;
  risk_score?: number;
  risk_reason?: string;
  started_at?: string;
  completed_at?: string;
  duration_ms?: number;
  result?: unknown;
  error?: string;
}

export interface RunView {
  id: string;
  intent: string;
  status: RunStatus;
  workflow_id: string | null;
  workflow_version: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  tokens_used: number;
  error: string | null;
  steps: StepView[];
  pending_approval: { approval_id: string; step_id: string; action: string; risk_score: number; reason: string; expires_at: string } | null;
}

export function stepView(step: StepRecord): StepView {
  return {
    id: step.id,
    description: step.description,
    status: step.status,
    phase: step.phase,
    ...(step.action ? { action: step.action } : {}),
    ...(step.outcome ? { outcome: step.outcome } : {}),
    ...(step.risk ? { risk_score: step.risk.score, risk_reason: step.risk.reason } : {}),
    ...(step.startedAt ? { started_at: step.startedAt } : {}),
    ...(step.completedAt ? { completed_at: step.completedAt } : {}),
    ...(step.durationMs !== undefined ? { duration_ms: step.durationMs } : {}),
    ...(step.result !== undefined ? { result: step.result } : {}),
    ...(step.error ? { error: step.error } : {}),
  };
}

/** hydra.status's shape of a live run (the D1 row gives the same shape for history). */
export function runView(s: RunState): RunView {
  const pending = s.pendingApproval;
  return {
    id: s.id,
    intent: s.intent,
    status: s.status,
    workflow_id: s.workflowId,
    workflow_version: s.workflowVersion,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    completed_at: s.completedAt,
    tokens_used: s.tokensUsed,
    error: s.error,
    steps: s.steps.map(stepView),
    pending_approval:
      pending && !pending.decision
        ? {
            approval_id: pending.approval_id,
            step_id: pending.step_id,
            action: pending.action,
            risk_score: pending.risk_score,
            reason: pending.reason,
            expires_at: pending.expires_at,
          }
        : null,
  };
}
