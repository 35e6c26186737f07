import type { Action } from "../manifest/schema";

/** The documented run statuses plus `frozen` (hydra.kill level "freeze"; see docs/runtime.md). */
export type RunStatus = "pending" | "running" | "completed" | "failed" | "cancelled" | "frozen";
export const ACTIVE_STATUSES: RunStatus[] = ["pending", "running", "frozen"];
export const isTerminal = (status: RunStatus) => status === "completed" || status === "failed" || status === "cancelled";

export type Phase = "perceive" | "think" | "decide" | "act" | "learn";
export type StepStatus = "pending" | "running" | "completed" | "failed" | "skipped";
/** Why a step ended the way it did; `status` alone stays within the documented list. */
export type StepOutcome =
  | "success"
  | "waiting"
  | "denied"
  | "expired"
  | "blocked"
  | "cancelled"
  | "failed"
  | "dependency_skipped"
  | "condition_false";

export interface RetryPolicy {
  maxAttempts: number;
  backoffSeconds: number;
}

export interface PlannedAction {
  /** Manifest step id, or a planner-made one. */
  key: string;
  name: string;
  action: Action;
  parameters: Record<string, unknown>;
  dependsOn: string[];
  level: number;
  /** CEL over `steps.<id>.outcome|output` and `run.intent`; false → skipped (`condition_false`). */
  condition?: string | undefined;
  retry?: RetryPolicy | undefined;
  timeoutSeconds?: number | undefined;
  /** sha256 of the canonical parameters (set by decide): what an approval is for. */
  parametersHash?: string | undefined;
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
  /** What the step's dependencies produced, keyed by their step key (manifest id). */
  inputs?: Record<string, StepInput>;
  /** An excerpt of the step's output (the whole output is kept under its own storage key). */
  output?: unknown;
  attempts?: number;
  attemptLog?: AttemptRecord[];
  tokens?: number;
  /** In-Worker retries: the next attempt may start at this time. */
  nextAttemptAt?: string;
}

export interface StepInput {
  outcome: "success" | "failed";
  output: unknown;
}

export interface AttemptRecord {
  attempt: number;
  action_id?: string;
  started_at: string;
  ended_at?: string;
  duration_ms?: number;
  outcome?: "succeeded" | "failed" | "expired";
  error?: string;
}

/** One attempt of a delegated step, handed to a workstation by hydra.next_action. */
export interface ActionRecord {
  action_id: string;
  /** StepRecord id (uuid) and plan key (manifest step id). */
  step_id: string;
  key: string;
  attempt: number;
  /** ready: claimable once announced; leased: claimed; superseded: a late report won over the retry. */
  state: "ready" | "leased" | "reported" | "expired" | "superseded";
  /** Not claimable (and not announced with action_delegated) before this time: retry backoff. */
  ready_at: string;
  announced: boolean;
  lease_expires_at: string | null;
  /** While frozen the lease clock stops: what was left of it. */
  lease_remaining_ms?: number;
  claimed_at: string | null;
  report?: ActionReport;
}

export interface ActionReport {
  outcome: "succeeded" | "failed";
  output?: string | undefined;
  error?: string | undefined;
  /** The step status answered to the reporter (repeated for duplicates). */
  status: StepStatus;
}

export interface PendingApproval {
  approval_id: string;
  step_id: string;
  action: Action;
  risk_score: number;
  reason: string;
  expires_at: string;
  description: string;
  parameters: Record<string, unknown>;
  parameters_hash: string;
  /** While frozen the approval clock stops: what was left of it. */
  remaining_ms?: number;
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
  /** Default lease of a claimed action (a step's timeout_seconds overrides it). */
  actionLeaseSeconds: number;
  /** Origin of the run page a person approves on (`{base}/runs/{run_id}`). */
  publicBaseUrl: string | null;
  llm: LlmSettings | null;
  /** DNS-over-HTTPS endpoint integration hosts are resolved with (null: host names are not resolved). */
  dohUrl: string | null;
}

export interface RunState {
  /** Shape version of the stored state (see run/stored-state.ts). */
  version: number;
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
  /** Approvals waiting for a person, oldest first (several branches may wait at once). */
  pendingApprovals: PendingApproval[];
  /** Every attempt of every delegated step, in the order they were created. */
  actions: ActionRecord[];
  /** What the current alarm was set for: a deadline alarm acts as if its time had come. */
  alarm: { at: number; kind: "tick" | "deadline" } | null;
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
  condition?: string | undefined;
  retry?: { max_attempts?: number | undefined; backoff_seconds?: number | undefined } | undefined;
  timeout_seconds?: number | undefined;
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
