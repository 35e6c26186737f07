import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { llmScenario } from "./helpers/llm";
import { manualRpc, status, step, stepUntil } from "./helpers/runtime";

/** A step's own `timeout_seconds` (the manifest's minimum, 5) against targets that answer after 15 s. */
const TIMEOUT_SECONDS = 5;
const SLOW_MS = 15_000;

async function startWorkflowRun(token: string, steps: Record<string, unknown>[], extraEnv: Record<string, string> = {}) {
  const wf = await api("POST", "/v1/workflows", { token, body: { name: "Slow", manifest: { manifest_version: "1.0", name: "Slow", steps } } });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  return (await manualRpc(token, "hydra.run", { workflowId: wf.body.data.workflowId }, extraEnv)).body.result.run_id as string;
}

/** Polls the run (the in-Worker call is detached from the alarm) until its act step `key` satisfies `done`. */
async function untilStep(token: string, runId: string, key: string, done: (step: any) => boolean, timeoutMs = 14_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await status(token, runId)).steps.find((s: any) => s.key === key);
    if (found && done(found)) return found;
    if (Date.now() > deadline) throw new Error(`step ${key} never got there: ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the integration stand-in saw for one host. */
async function callsTo(host: string): Promise<{ method: string; host: string; aborted?: boolean }[]> {
  return (await env.INTEGRATION_API.fetch(`https://standin.test/__calls?host=${encodeURIComponent(host)}`)).json();
}

describe("timeout_seconds cuts off slow in-Worker steps", () => {
  it("an LLM step: the call is aborted at its timeout, the attempt fails as timed out and is retried", { timeout: 40_000 }, async () => {
    const user = await newUser();
    const llm = await llmScenario([{ delayMs: SLOW_MS, content: "too late" }, { content: "In time.", usage: { total_tokens: 4 } }]);
    const runId = await startWorkflowRun(
      user.token,
      [{ id: "plan", name: "Plan the fix", action: "planning_agent", retry: { max_attempts: 2 }, timeout_seconds: TIMEOUT_SECONDS }],
      llm.env,
    );
    await stepUntil(user.token, runId, (r) => r.steps.some((s: any) => s.key === "plan" && s.status === "running"));

    // The first attempt ends failed by the timeout, long before the provider would have answered.
    const retrying = await untilStep(user.token, runId, "plan", (s) => s.attempt_history?.[0]?.outcome === "failed");
    expect(retrying.attempt_history[0]).toMatchObject({ attempt: 1, outcome: "failed", error: "LLM provider timed out" });
    expect(retrying.attempt_history[0].duration_ms).toBeLessThan(SLOW_MS);
    const calls = await llm.waitForCalls((c) => c[0]?.aborted === true);
    expect(calls[0]).toMatchObject({ aborted: true, answered: false });

    // Retried after the (zero) backoff: the second attempt answers in time.
    await step(runId);
    const done = await untilStep(user.token, runId, "plan", (s) => s.status === "completed");
    expect(done).toMatchObject({ attempts: 2, output: "In time." });
    expect(done.attempt_history.map((a: any) => [a.outcome, a.error])).toEqual([
      ["failed", "LLM provider timed out"],
      ["succeeded", undefined],
    ]);
  });

  it("an HTTP step: the request is aborted at its timeout and the step fails as timed out (no retry policy)", { timeout: 40_000 }, async () => {
    const user = await newUser();
    const host = `slow-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const runId = await startWorkflowRun(user.token, [
      { id: "fetch", name: "Fetch the report", action: "api_integration", parameters: { url: `https://${host}/report?delay_ms=${SLOW_MS}`, method: "GET" }, timeout_seconds: TIMEOUT_SECONDS },
    ]);
    await stepUntil(user.token, runId, (r) => r.steps.some((s: any) => s.key === "fetch" && s.status === "running"));

    const failed = await untilStep(user.token, runId, "fetch", (s) => s.status === "failed");
    expect(failed).toMatchObject({ status: "failed", outcome: "failed", error: "Integration timed out", attempts: 1 });
    expect(failed.duration_ms).toBeLessThan(SLOW_MS);
    // The target saw the request go away (the abort reaches it just after the step is recorded).
    let calls = await callsTo(host);
    for (let i = 0; i < 50 && calls[0]?.aborted === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      calls = await callsTo(host);
    }
    expect(calls).toEqual([{ method: "GET", host, path: "/report", aborted: true }]);

    const run = await stepUntil(user.token, runId, (r) => ["completed", "failed"].includes(r.status));
    expect(run.status).toBe("failed");
  });
});
