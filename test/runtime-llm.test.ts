import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { estimateTokens, offlinePlan } from "../src/runtime/planner/offline";
import { newUser } from "./helpers/auth";
import { bugFixManifest } from "./helpers/fixtures";
import { llmScenario, planAnswer } from "./helpers/llm";
import { createWorkflow } from "./helpers/workflows";
import { driveRun, manualRpc, openStream, readEvents, runObject, stepUntil } from "./helpers/runtime";

/** What the offline planner counts for its own plan of `intent`. */
const offlineEstimate = (intent: string) => estimateTokens(intent, JSON.stringify(offlinePlan(intent)));

const finished = (r: any) => ["completed", "failed", "cancelled"].includes(r.status);

async function startWith(token: string, llmEnv: Record<string, string>, intent: string) {
  const res = await manualRpc(token, "hydra.run", { intent }, llmEnv);
  expect(res.body.result).toMatchObject({ status: "accepted" });
  return res.body.result.run_id as string;
}

/** Everything a client (or the history) can see of a run, as one string. */
async function everythingVisible(token: string, runId: string, run: unknown) {
  const { events } = await readEvents(await openStream(token, `/runs/${runId}/events`), () => false);
  const row = await env.DB.prepare("SELECT * FROM runs WHERE id = ?").bind(runId).first();
  return { events, text: JSON.stringify({ run, events, row }) };
}

const researchPlan = planAnswer([
  { id: "research", name: "Research the login flow", action: "research_agent", parameters: { topic: "login" } },
  { id: "fix", name: "Fix the login bug", action: "code_agent", depends_on: ["research"] },
]);

describe("OpenAI-compatible LLM provider (local stand-in)", () => {
  it("plans from the provider's answer, runs LLM steps through it and reports its usage as tokens_used", async () => {
    const user = await newUser();
    const llm = await llmScenario([
      { content: researchPlan, usage: { prompt_tokens: 100, completion_tokens: 23, total_tokens: 123 } },
      { content: "The login flow drops the session cookie.", usage: { prompt_tokens: 30, completion_tokens: 15, total_tokens: 45 } },
    ]);
    const runId = await startWith(user.token, llm.env, "Fix the login bug");
    // The LLM step runs in the Worker; the code edit is a workstation's, with the answer as its input.
    let fixInputs: unknown;
    const run = await driveRun(user.token, runId, {
      outputOf: (a) => {
        fixInputs = a.inputs;
        return "Fixed the cookie";
      },
    });
    expect(fixInputs).toEqual({ research: { outcome: "success", output: "The login flow drops the session cookie." } });

    expect(run).toMatchObject({ status: "completed", tokens_used: 168, error: null });
    expect(run.steps.map((s: any) => [s.phase, s.description, s.status, s.outcome])).toEqual([
      ["perceive", expect.any(String), "completed", "success"],
      ["think", expect.any(String), "completed", "success"],
      ["decide", expect.any(String), "completed", "success"],
      ["act", "Research the login flow", "completed", "success"],
      ["act", "Fix the login bug", "completed", "success"],
      ["learn", expect.any(String), "completed", "success"],
    ]);
    expect(run.steps[1].result).toMatchObject({ planner: "llm", planned_steps: 2 });
    expect(run.steps[3]).toMatchObject({ output: "The login flow drops the session cookie.", tokens: 45, attempts: 1 });
    expect(run.steps[4]).toMatchObject({ output: "Fixed the cookie", attempts: 1 });

    const calls = await llm.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions", authorization: `Bearer ${llm.apiKey}` });
    expect(calls[0]!.body).toMatchObject({ model: llm.model, temperature: 0 });
    expect(calls[0]!.body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(calls[0]!.body.messages[0]!.content).toContain('{"steps":[');
    expect(calls[0]!.body.messages[1]).toEqual({ role: "user", content: "Fix the login bug" });
    expect(calls[1]!.authorization).toBe(`Bearer ${llm.apiKey}`);
    expect(calls[1]!.body.model).toBe(llm.model);
    expect(calls[1]!.body.messages).toEqual([
      { role: "user", content: 'Task: Fix the login bug\nStep: Research the login flow (research_agent)\nParameters: {"topic":"login"}' },
    ]);

    const { events, text } = await everythingVisible(user.token, runId, run);
    expect(events.find((e) => e.event === "run_completed")?.data).toEqual({ run_id: runId, status: "success", tokens_used: 168 });
    expect(events.find((e) => e.event === "step_completed" && e.data.step_id === run.steps[1].id)?.data).toMatchObject({ planner: "llm", planned_steps: 2, tokens: 123 });
    expect(text).not.toContain(llm.apiKey);
    // A finished run keeps no provider credentials in its storage either.
    const stored = await runInDurableObject(runObject(runId), async (_obj, state) => state.storage.kv.get<any>("state"));
    expect(stored.settings.llm).toEqual({ baseUrl: "http://llm.standin/v1", model: llm.model, apiKey: null, timeoutMs: 30000 });
  });

  it("falls back to the offline planner on a provider error without leaking the upstream body", async () => {
    const user = await newUser();
    const llm = await llmScenario([
      { status: 500, body: { error: { message: "upstream exploded, key UPSTREAM-SECRET-BODY" } } },
      { content: "notes", usage: { total_tokens: 7 } },
    ]);
    const runId = await startWith(user.token, llm.env, "Research the billing flow");
    const run = await stepUntil(user.token, runId, finished);

    expect(run.status).toBe("completed");
    expect(run.steps[1].result).toEqual({
      planner: "offline",
      planned_steps: 2,
      note: "LLM planner failed (LLM provider answered HTTP 500); used the offline planner",
    });
    expect(run.steps.filter((s: any) => s.phase === "act").map((s: any) => [s.action, s.output])).toEqual([
      ["research_agent", "notes"],
      ["review_agent", "notes"],
    ]);
    // The offline plan's own estimate plus the provider's reported usage of both executor calls.
    expect(run.tokens_used).toBe(offlineEstimate("Research the billing flow") + 7 + 7);
    expect((await llm.calls()).map((c) => c.answered)).toEqual([true, true, true]);
    const { text } = await everythingVisible(user.token, runId, run);
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
    expect(text).not.toContain(llm.apiKey);
  });

  it("falls back to the offline planner when the provider times out (LLM_TIMEOUT_MS), aborting the request", async () => {
    const user = await newUser();
    const llm = await llmScenario([{ delayMs: 5000, content: researchPlan }, { content: "notes", usage: { total_tokens: 3 } }], { LLM_TIMEOUT_MS: "150" });
    const runId = await startWith(user.token, llm.env, "Research the billing flow");
    const run = await stepUntil(user.token, runId, finished);

    expect(run.status).toBe("completed");
    expect(run.steps[1].result).toMatchObject({ planner: "offline", note: "LLM planner failed (LLM provider timed out); used the offline planner" });
    const calls = await llm.waitForCalls((c) => c[0]?.aborted === true);
    expect(calls[0]).toMatchObject({ aborted: true, answered: false });
  });

  it("falls back when the answer is not a valid plan, still counting the provider's tokens", async () => {
    const user = await newUser();
    const llm = await llmScenario([
      { content: "Sure! First, research the flow.", usage: { total_tokens: 1000 } },
      { content: "notes", usage: { total_tokens: 0 } },
    ]);
    const runId = await startWith(user.token, llm.env, "Research the billing flow");
    const run = await stepUntil(user.token, runId, finished);
    expect(run.steps[1].result).toMatchObject({ planner: "offline", note: "LLM plan was invalid; used the offline planner" });
    expect(run.tokens_used).toBe(1000 + offlineEstimate("Research the billing flow"));
  });

  it("an LLM step whose provider call fails is a failed step with our message, not the provider's", async () => {
    const user = await newUser();
    const llm = await llmScenario([
      { content: researchPlan, usage: { total_tokens: 50 } },
      { status: 503, body: { error: { message: "overloaded UPSTREAM-SECRET-BODY" } } },
    ]);
    const runId = await startWith(user.token, llm.env, "Fix the login bug");
    const run = await stepUntil(user.token, runId, finished);

    expect(run).toMatchObject({ status: "failed", tokens_used: 50, error: "1 step(s) failed: Research the login flow" });
    const act = run.steps.filter((s: any) => s.phase === "act");
    expect(act.map((s: any) => [s.status, s.outcome, s.error])).toEqual([
      ["failed", "failed", "LLM provider answered HTTP 503"],
      ["skipped", "dependency_skipped", undefined],
    ]);
    const { events, text } = await everythingVisible(user.token, runId, run);
    expect(events.find((e) => e.event === "run_error")?.data).toEqual({ run_id: runId, error: "1 step(s) failed: Research the login flow" });
    expect(text).not.toContain("UPSTREAM-SECRET-BODY");
  });

  it("retries an LLM step as its retry policy allows, and gives the answer to the next step as input", async () => {
    const user = await newUser();
    const llm = await llmScenario([
      { status: 503, body: { error: { message: "busy" } } },
      { content: "Use a mutex.", usage: { total_tokens: 9 } },
    ]);
    const manifest = {
      ...bugFixManifest(),
      steps: [
        { id: "plan", name: "Plan the fix", action: "planning_agent", retry: { max_attempts: 2 }, timeout_seconds: 30 },
        { id: "apply", name: "Apply it", action: "code_agent", depends_on: ["plan"] },
      ],
    };
    const workflow = await createWorkflow(user.token, { manifest });
    const runId = (await manualRpc(user.token, "hydra.run", { workflowId: workflow.workflowId }, llm.env)).body.result.run_id;
    let inputs: unknown;
    const run = await driveRun(user.token, runId, { outputOf: (a) => ((inputs = a.inputs), "applied") });
    expect(run.status).toBe("completed");
    const plan = run.steps.find((s: any) => s.key === "plan");
    expect(plan).toMatchObject({ status: "completed", attempts: 2, output: "Use a mutex.", tokens: 9 });
    expect(plan.attempt_history.map((a: any) => [a.outcome, a.error])).toEqual([
      ["failed", "LLM provider answered HTTP 503"],
      ["succeeded", undefined],
    ]);
    expect(inputs).toEqual({ plan: { outcome: "success", output: "Use a mutex." } });
    expect((await llm.calls()).length).toBe(2);
  });
});
