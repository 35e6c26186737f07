import { approvalView } from "./run/approvals";
import type { AttemptRecord, RunState, RunStatus, StepInput, StepRecord } from "./types";

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
  /** The manifest (or plan) step id: the key of this step in its dependents' inputs. */
  key?: string;
  inputs?: Record<string, StepInput>;
  output?: unknown;
  attempts?: number;
  attempt_history?: AttemptRecord[];
  tokens?: number;
}

export type ApprovalView = ReturnType<typeof approvalView>;

export interface ActionSummary {
  action_id: string;
  step_id: string;
  attempt: number;
  state: string;
  lease_expires_at: string | null;
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
  /** The oldest of `pending_approvals` (kept for clients of one approval at a time). */
  pending_approval: ApprovalView | null;
  pending_approvals: ApprovalView[];
  /** Open actions (ready for a workstation or leased to one). */
  actions: ActionSummary[];
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
    ...(step.key ? { key: step.key } : {}),
    ...(step.inputs ? { inputs: step.inputs } : {}),
    ...(step.output !== undefined ? { output: step.output } : {}),
    ...(step.attempts !== undefined ? { attempts: step.attempts } : {}),
    ...(step.attemptLog ? { attempt_history: step.attemptLog } : {}),
    ...(step.tokens !== undefined ? { tokens: step.tokens } : {}),
  };
}

/** hydra.status's shape of a live run (the D1 row gives the same shape for history). */
export function runView(s: RunState): RunView {
  const pending = s.pendingApprovals.filter((a) => !a.decision).map((a) => approvalView(s, a));
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
    pending_approval: pending[0] ?? null,
    pending_approvals: pending,
    actions: s.actions
      .filter((a) => a.state === "ready" || a.state === "leased")
      .map((a) => ({ action_id: a.action_id, step_id: a.step_id, attempt: a.attempt, state: a.state, lease_expires_at: a.lease_expires_at })),
  };
}
