import { env, exports } from "cloudflare:workers";
import { createExecutionContext, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/app";
import { readResponse, request, type ApiResponse } from "./http";

let nextId = 0;

/** One JSON-RPC call through the deployed Worker; returns the HTTP response. */
export async function rpc(token: string, method: string, params?: unknown): Promise<ApiResponse> {
  nextId += 1;
  return readResponse(await exports.default.fetch(request("POST", "/rpc", { token, body: { jsonrpc: "2.0", id: nextId, method, params } })));
}

/**
 * The same Worker with a one-hour step delay: runs advance only when a test fires the run
 * object's alarm (`step`), so every intermediate state can be observed deterministically.
 */
export async function manualRpc(token: string, method: string, params?: unknown, extraEnv: Record<string, string> = {}): Promise<ApiResponse> {
  nextId += 1;
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    request("POST", "/rpc", { token, body: { jsonrpc: "2.0", id: nextId, method, params } }),
    { ...env, RUNTIME_STEP_DELAY_MS: "3600000", ...extraEnv },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return readResponse(res);
}

export function runObject(runId: string) {
  return env.RUN_OBJECT.get(env.RUN_OBJECT.idFromName(runId));
}

/** Fires the run object's pending alarm (one phase, one level of actions, or an approval expiry). */
export async function step(runId: string, times = 1) {
  for (let i = 0; i < times; i += 1) {
    if (!(await runDurableObjectAlarm(runObject(runId)))) return false;
  }
  return true;
}

export async function status(token: string, runId: string) {
  const res = await rpc(token, "hydra.status", { run_id: runId });
  if (!res.body.result) throw new Error(`status failed: ${JSON.stringify(res.body)}`);
  return res.body.result.runs[0];
}

/** Steps a manual run until `done(run)` holds (or no alarm is left). */
export async function stepUntil(token: string, runId: string, done: (run: any) => boolean, max = 50) {
  for (let i = 0; i < max; i += 1) {
    const run = await status(token, runId);
    if (done(run)) return run;
    if (!(await step(runId))) return status(token, runId);
  }
  throw new Error("run did not reach the expected state");
}

/** Polls a real-time run (default short step delay) until `done(run)` holds. */
export async function waitFor(token: string, runId: string, done: (run: any) => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await status(token, runId);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out; last status ${run.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export async function openStream(token: string, path: string, headers: Record<string, string> = {}, extraEnv?: Record<string, string>) {
  const req = request("GET", path, { token, headers });
  const res = extraEnv ? await createApp().fetch(req, { ...env, ...extraEnv }, createExecutionContext()) : await exports.default.fetch(req);
  return res;
}

/** Reads SSE frames until `until(events)` holds, the stream ends, or the timeout; then cancels the reader. */
export async function readEvents(res: Response, until: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<{ events: SseEvent[]; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = "";
  let ended = false;
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(events)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) => {
          timer = setTimeout(() => r("timeout"), remaining);
        }),
      ]);
      if (timer !== undefined) clearTimeout(timer);
      if (chunk === "timeout") break;
      if (chunk.done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const parsed: Partial<SseEvent> = {};
        for (const line of frame.split("\n")) {
          const [field, ...rest] = line.split(": ");
          const value = rest.join(": ");
          if (field === "id") parsed.id = value;
          if (field === "event") parsed.event = value;
          if (field === "data") parsed.data = JSON.parse(value);
        }
        if (parsed.event) events.push(parsed as SseEvent);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { events, ended };
}

export const names = (events: SseEvent[]) => events.map((e) => e.event);

export const isFinished = (run: any) => ["completed", "failed", "cancelled"].includes(run.status);

/** hydra.next_action's result (fails the test on a JSON-RPC error). */
export async function nextAction(token: string, params: Record<string, unknown> = {}) {
  const res = await rpc(token, "hydra.next_action", params);
  if (!res.body.result) throw new Error(`next_action failed: ${JSON.stringify(res.body)}`);
  return res.body.result as { action: any; waiting_for?: any };
}

export async function reportAction(token: string, actionId: string, outcome: "succeeded" | "failed" = "succeeded", output?: string, error?: string) {
  return rpc(token, "hydra.report_action", { action_id: actionId, outcome, ...(output !== undefined ? { output } : {}), ...(error ? { error } : {}) });
}

/**
 * Plays a workstation for a manual run: fires alarms, claims every action and reports it
 * (succeeded, output from `outputOf`) until the run is finished, waits for an approval
 * (when `stopAtApproval`), or nothing is left to do. Returns the run's status.
 */
export async function driveRun(
  token: string,
  runId: string,
  opts: { stopAtApproval?: boolean; outputOf?: (action: any) => string; max?: number } = {},
) {
  const outputOf = opts.outputOf ?? ((a: any) => `done: ${a.name}`);
  for (let i = 0; i < (opts.max ?? 100); i += 1) {
    const run = await status(token, runId);
    if (isFinished(run)) return run;
    if (opts.stopAtApproval && run.pending_approval) return run;
    if (run.status === "running" && run.actions.some((a: any) => a.state === "ready")) {
      const { action } = await nextAction(token, { run_id: runId });
      if (action) {
        const res = await reportAction(token, action.action_id, "succeeded", outputOf(action));
        if (!res.body.result) throw new Error(`report failed: ${JSON.stringify(res.body)}`);
        continue;
      }
    }
    if (!(await step(runId))) return status(token, runId);
  }
  throw new Error("run did not finish");
}
