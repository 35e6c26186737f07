import type { Action } from "../manifest/schema";

/** The seed's run statuses plus `frozen` (hydra.kill level "freeze"; see docs/runtime.md). */
export type RunStatus = "pending" | "running" | "completed" | "failed" | "cancelled" | "frozen";
export const ACTIVE_STATUSES: RunStatus[] = ["pending", "running", "frozen"];
export const isTerminal = (status: RunStatus) => status === "completed" || status === "failed" || status === "cancelled";

export type Phase = "perceive" | "think" | "decide" | "act" | "learn";
export type StepStatus = "pending" | "running" | "completed" | "failed" | "skipped";
/** Why a step ended the way it did; `status` alone stays within the seed's list. */
export type StepOutcome = "success" | "delegated" | "denied" | "expired" | "blocked" | "cancelled" | "failed" | "dependency_skipped";

export interface PlannedAction {
  /** Manifest step id, or a planner-made one. */
  key: string;
  name: string;
  action: Action;
  parameters: Record<string, unknown>;
  dependsOn: string[];
  level: number;
}

export interface RiskDecision {
  score: number;
  reason: string;
  gate: "proceed" | "notice" | "approval" | "block";
}

export interface StepRecord {
  id: string;
  phase: Phase;
  description: string;
  status: StepStatus;
  outcome?: StepOutcome;
  action?: Action;
  key?: string;
  risk?: RiskDecision;
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  result?: unknown;
  error?: string;
}

export interface PendingApproval {
  approval_id: string;
  step_id: string;
  action: Action;
  risk_score: number;
  reason: string;
  expires_at: string;
  /** Set when the approval arrives while the run is frozen; applied on resume. */
  decision?: "approved";
}

/** The LLM provider a run uses, fixed at start (null: offline planner and executors). */
export interface LlmSettings {
  baseUrl: string;
  model: string;
  /** Kept only in the run's own storage while it is active; never in views, events or D1. */
  apiKey: string | null;
  timeoutMs: number;
}

export interface RunSettings {
  stepDelayMs: number;
  approvalTtlSeconds: number;
  llm: LlmSettings | null;
  /** DNS-over-HTTPS endpoint integration hosts are resolved with; absent in runs started before it existed. */
  dohUrl?: string | null;
}

export interface RunState {
  id: string;
  userId: string;
  intent: string;
  workflowId: string | null;
  workflowVersion: string | null;
  manifestSteps: ManifestStepInput[] | null;
  status: RunStatus;
  /** The phase the next alarm runs; "done" once terminal. */
  phase: Phase | "done";
  steps: StepRecord[];
  plan: PlannedAction[];
  tokensUsed: number;
  pendingApproval: PendingApproval | null;
  /** approval id → final decision, so a second hydra.approve gets a clear error. */
  resolvedApprovals: Record<string, "approved" | "denied" | "expired" | "cancelled">;
  /** Step ids whose approval was granted. */
  approvedSteps: string[];
  /** hydra.kill graceful arrived while a phase was in flight: stop when it ends. */
  stopAfterPhase: string | null;
  error: string | null;
  settings: RunSettings;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Highest event sequence written, and the highest already delivered to the user's hub. */
  lastSeq: number;
  hubSeq: number;
}

export interface ManifestStepInput {
  id: string;
  name: string;
  action: Action;
  depends_on?: string[] | undefined;
  parameters?: Record<string, unknown> | undefined;
}

export interface StoredEvent {
  seq: number;
  event: string;
  data: Record<string, unknown>;
  at: string;
}

export interface StartRunInput {
  runId: string;
  userId: string;
  intent: string;
  workflowId: string | null;
  workflowVersion: string | null;
  manifestSteps: ManifestStepInput[] | null;
  settings: RunSettings;
  now: string;
}
