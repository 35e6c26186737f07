import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { llmScenario, planAnswer } from "./helpers/llm";
import { manualRpc, openStream, readEvents, rpc, status, waitFor } from "./helpers/runtime";

const SLOW_MS = 10_000;
const plan = planAnswer([{ id: "research", name: "Research the login flow", action: "research_agent" }]);

/** A real-time run whose think phase is waiting on a provider call the stand-in is holding. */
async function runWaitingOnProvider(token: string, delayMs = SLOW_MS) {
  const llm = await llmScenario([{ delayMs, content: plan, usage: { total_tokens: 11 } }]);
  const res = await manualRpc(token, "hydra.run", { intent: "Research the login flow" }, { ...llm.env, RUNTIME_STEP_DELAY_MS: "20" });
  const runId = res.body.result.run_id as string;
  await llm.waitForCalls((calls) => calls.length === 1);
  return { llm, runId };
}

async function cancelledEvent(token: string, runId: string) {
  const { events } = await readEvents(await openStream(token, `/runs/${runId}/events`), () => false);
  return events.find((e) => e.event === "run_cancelled")?.data;
}

describe("stopping a run while an LLM provider call is in flight", () => {
  it("hydra.cancel aborts the call and cancels the run without waiting for the answer", async () => {
    const user = await newUser();
    const { llm, runId } = await runWaitingOnProvider(user.token);
    const started = Date.now();
    const res = await rpc(user.token, "hydra.cancel", { run_id: runId, reason: "too slow" });
    expect(res.body.result).toEqual({ success: true, run_id: runId, status: "cancelled" });
    const run = await status(user.token, runId);
    expect(Date.now() - started).toBeLessThan(SLOW_MS / 4);

    expect(run).toMatchObject({ status: "cancelled", error: "too slow", tokens_used: 0 });
    expect(run.steps.find((s: any) => s.phase === "think")).toMatchObject({ status: "skipped", outcome: "cancelled" });
    const calls = await llm.waitForCalls((c) => c[0]?.aborted === true);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ aborted: true, answered: false });
    expect(await cancelledEvent(user.token, runId)).toEqual({ run_id: runId, reason: "too slow", level: "cancel" });
  });

  it("hydra.kill instant aborts the call and cancels the run at once", async () => {
    const user = await newUser();
    const { llm, runId } = await runWaitingOnProvider(user.token);
    const started = Date.now();
    const res = await rpc(user.token, "hydra.kill", { level: "instant", reason: "stop everything" });
    expect(res.body.result).toEqual({ success: true, level: "instant", cancelled_runs: 1 });
    const run = await status(user.token, runId);
    expect(Date.now() - started).toBeLessThan(SLOW_MS / 4);

    expect(run).toMatchObject({ status: "cancelled", error: "stop everything" });
    const calls = await llm.waitForCalls((c) => c[0]?.aborted === true);
    expect(calls[0]).toMatchObject({ aborted: true, answered: false });
    expect(await cancelledEvent(user.token, runId)).toEqual({ run_id: runId, reason: "stop everything", level: "instant" });
  });

  it("hydra.kill graceful lets the in-flight think phase finish, then stops before act", async () => {
    const user = await newUser();
    const { llm, runId } = await runWaitingOnProvider(user.token, 800);
    const res = await rpc(user.token, "hydra.kill", { level: "graceful" });
    expect(res.body.result).toEqual({ success: true, level: "graceful", cancelled_runs: 1 });
    expect((await status(user.token, runId)).status).toBe("running");

    const run = await waitFor(user.token, runId, (r) => r.status === "cancelled");
    expect(run.tokens_used).toBe(11);
    expect(run.steps.map((s: any) => [s.phase, s.status, s.outcome])).toEqual([
      ["perceive", "completed", "success"],
      ["think", "completed", "success"],
      ["decide", "skipped", "cancelled"],
      ["act", "skipped", "cancelled"],
      ["learn", "skipped", "cancelled"],
    ]);
    const calls = await llm.calls();
    expect(calls).toHaveLength(1); // the act step never called the provider
    expect(calls[0]).toMatchObject({ aborted: false, answered: true });
    expect(await cancelledEvent(user.token, runId)).toEqual({ run_id: runId, reason: "Kill switch (graceful)", level: "graceful" });
  });
});
