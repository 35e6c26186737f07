import { HydraApiError, type RpcErrorCode } from "./errors";

export type RunStatus = "pending" | "running" | "completed" | "failed" | "cancelled" | "frozen";
export type StepStatus = "pending" | "running" | "completed" | "failed" | "skipped";
export type Phase = "perceive" | "think" | "decide" | "act" | "learn";

export interface StepView {
  id: string;
  description: string;
  status: StepStatus;
  phase: Phase;
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

export interface PendingApprovalView {
  approval_id: string;
  step_id: string;
  action: string;
  risk_score: number;
  reason: string;
  expires_at: string;
  /** The step's exact parameters and the lowercase hex sha256 of their RFC 8785 JSON (when the server sends them). */
  parameters?: Record<string, unknown>;
  parameters_hash?: string;
}

/** A run as `hydra.status` shows it. */
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
  pending_approval: PendingApprovalView | null;
  pending_approvals?: PendingApprovalView[];
}

type Probe = { status: "ok" | "error"; latency_ms: number; error?: string };

export interface RuntimeHealth {
  status: "ok" | "degraded";
  uptime_seconds: number;
  dependencies: {
    d1: Probe;
    kv: Probe;
    durable_objects: Probe;
    llm_provider: { status: "configured" | "not_configured"; model?: string };
  };
  sisters?: Record<"d1" | "kv" | "durable_objects" | "llm_provider", "ok" | "degraded" | "not_connected">;
}

/** A workstation action: what a delegated step asks its performer to do. */
export interface WorkstationAction {
  action_id: string;
  run_id: string;
  step_id: string;
  action: string;
  name: string;
  parameters: Record<string, unknown>;
  instructions: string;
  /** Outputs of the step's dependencies, keyed by their step id. */
  inputs: Record<string, { outcome: "success" | "failed"; output: unknown }>;
  attempt: number;
  lease_expires_at: string;
}

/**
 * Every JSON-RPC method of `/rpc` with its params and result. `hydra.next_action`,
 * `hydra.heartbeat_action`, `hydra.report_action` and `hydra.runs` drive delegated actions from
 * a workstation (an IDE agent or a script).
 */
export interface RpcMethods {
  "hydra.run": {
    params: { intent?: string; workflowId?: string; workflow_id?: string; version?: string };
    result: { run_id: string; status: "accepted" };
  };
  "hydra.status": {
    params: { run_id?: string; limit?: number } | undefined;
    result: { runs: RunView[] };
  };
  "hydra.cancel": {
    params: { run_id: string; reason?: string };
    result: { success: true; run_id: string; status: "cancelled" };
  };
  "hydra.kill": {
    params: { level?: "instant" | "graceful" | "freeze"; reason?: string } | undefined;
    result: { success: true; level: "instant" | "graceful" | "freeze"; cancelled_runs: number };
  };
  "hydra.resume": {
    params: { run_id?: string } | undefined;
    result: { success: true; resumed_runs: number };
  };
  "hydra.approve": {
    params: { approval_id: string; decision: "approved" | "denied"; reason?: string; parameters_hash?: string };
    result: { success: true; approval_id: string; run_id: string; decision: "approved" | "denied" };
  };
  "hydra.health": {
    params: Record<string, never> | undefined;
    result: RuntimeHealth;
  };
  "hydra.next_action": {
    params: { run_id?: string; wait_seconds?: number } | undefined;
    result: {
      action: WorkstationAction | null;
      waiting_for?: { approval_id: string; step_id: string; description: string; approve_url: string };
    };
  };
  "hydra.heartbeat_action": {
    params: { action_id: string };
    result: { lease_expires_at: string };
  };
  "hydra.report_action": {
    params: { action_id: string; outcome: "succeeded" | "failed"; output?: string; error?: string };
    result: { success: true; run_id: string; step_id: string; status: StepStatus; duplicate?: true };
  };
  "hydra.runs": {
    params: { limit?: number; cursor?: string; status?: RunStatus; workflow_id?: string } | undefined;
    result: { runs: RunView[]; next_cursor: string | null; has_more: boolean };
  };
}

export type RpcMethod = keyof RpcMethods;
export type RpcParams<M extends RpcMethod> = RpcMethods[M]["params"];
export type RpcResult<M extends RpcMethod> = RpcMethods[M]["result"];

type RpcAnswer = { jsonrpc: "2.0"; id: number; result?: unknown; error?: { code: number; message: string; data?: unknown } };

/** One JSON-RPC call over `POST /rpc`; a JSON-RPC error becomes a HydraApiError with its code and data. */
export async function callRpc<M extends RpcMethod>(
  send: (body: string) => Promise<Response>,
  method: M,
  params: RpcParams<M>,
  id: number,
): Promise<RpcResult<M>> {
  const response = await send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }));
  const text = await response.text();
  let answer: RpcAnswer;
  try {
    answer = JSON.parse(text) as RpcAnswer;
  } catch {
    throw new HydraApiError("UNEXPECTED_RESPONSE", `HTTP ${response.status} from /rpc`, response.status, { body: text.slice(0, 500) });
  }
  if (!response.ok) {
    const envelope = answer as unknown as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    throw new HydraApiError((envelope.error?.code ?? "UNEXPECTED_RESPONSE") as never, envelope.error?.message ?? `HTTP ${response.status}`, response.status, envelope.error?.details ?? {});
  }
  if (answer.error) {
    const data = answer.error.data;
    const details = data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : data === undefined ? {} : { data };
    throw new HydraApiError(answer.error.code as RpcErrorCode, answer.error.message, response.status, details);
  }
  return answer.result as RpcResult<M>;
}
