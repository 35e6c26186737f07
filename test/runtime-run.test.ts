import { describe, expect, it } from "vitest";
import { api } from "./helpers/http";
import { newUser } from "./helpers/auth";
import { workflowBody } from "./helpers/fixtures";
import { driveRun, manualRpc, names, nextAction, openStream, readEvents, reportAction, rpc, status, step, stepUntil, waitFor } from "./helpers/runtime";

describe("hydra.run", () => {
  it("runs an intent to run_completed once a workstation performed every action, with every phase's events in order", async () => {
    const user = await newUser();
    const res = await rpc(user.token, "hydra.run", { intent: "Research how our cache works" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect(res.body).toMatchObject({ jsonrpc: "2.0", result: { status: "accepted" } });
    const runId = res.body.result.run_id as string;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

    // Without an LLM provider the research and summary steps go to the workstation.
    const first = await nextAction(user.token, { run_id: runId, wait_seconds: 5 });
    expect(first.action).toMatchObject({ run_id: runId, action: "research_agent", name: "Understand the request", attempt: 1, inputs: {} });
    expect((await status(user.token, runId)).status).toBe("running");
    await reportAction(user.token, first.action.action_id, "succeeded", "The cache is an LRU in front of D1");
    const second = await nextAction(user.token, { run_id: runId, wait_seconds: 5 });
    expect(second.action).toMatchObject({ action: "review_agent", inputs: { step_1: { outcome: "success", output: "The cache is an LRU in front of D1" } } });
    expect(second.action.instructions).toContain("The cache is an LRU in front of D1");
    await reportAction(user.token, second.action.action_id, "succeeded", "Summary written");

    const done = await waitFor(user.token, runId, (r) => r.status === "completed");
    expect(done.tokens_used).toBeGreaterThan(0);
    expect(done.steps.map((s: any) => s.phase)).toEqual(["perceive", "think", "decide", "act", "act", "learn"]);
    expect(done.steps.every((s: any) => s.status === "completed")).toBe(true);

    const stream = await openStream(user.token, `/runs/${runId}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("Content-Type")).toContain("text/event-stream");
    const { events, ended } = await readEvents(stream, () => false);
    expect(ended).toBe(true);
    expect(events[0]).toMatchObject({ event: "system_ready", data: { version: "0.1.0" } });
    expect(events.at(-1)).toMatchObject({ event: "system_shutdown", data: { reason: "Run finished" } });
    const runEvents = events.slice(1, -1);
    expect(runEvents.map((e) => Number(e.id))).toEqual(runEvents.map((_, i) => i + 1));
    const phases = runEvents.filter((e) => e.event === "step_started").map((e) => e.data.phase);
    expect(phases).toEqual(["perceive", "think", "decide", "act", "act", "learn"]);
    expect(runEvents[0]).toMatchObject({ event: "run_started", data: { run_id: runId, intent: "Research how our cache works", estimated_steps: 6 } });
    expect(runEvents.at(-1)).toMatchObject({ event: "run_completed", data: { run_id: runId, status: "success", tokens_used: done.tokens_used } });
    for (const phase of ["perceive", "think", "decide", "learn"]) {
      const started = runEvents.findIndex((e) => e.event === "step_started" && e.data.phase === phase);
      const completed = runEvents.findIndex((e) => e.event === "step_completed" && e.data.phase === phase);
      expect(started).toBeGreaterThan(0);
      expect(completed).toBeGreaterThan(started);
    }
  });

  it("plans a workflow's manifest in dependency order; delegated steps wait for a workstation", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody() });
    expect(created.status).toBe(201);
    const workflowId = created.body.data.workflowId;
    const started = await manualRpc(user.token, "hydra.run", { intent: "Fix the login bug", workflowId });
    const runId = started.body.result.run_id;
    const delegated = await stepUntil(user.token, runId, (r) => r.actions.length > 0);
    const acts = delegated.steps.filter((s: any) => s.phase === "act");
    expect(acts.map((s: any) => s.action)).toEqual(["research_agent", "analyze_code", "code_agent", "generate_tests", "execute_command", "review_and_commit"]);
    expect(acts[0]).toMatchObject({ status: "running", outcome: "waiting", key: "understand_bug" });
    expect(acts.slice(1).map((s: any) => s.status)).toEqual(["pending", "pending", "pending", "pending", "pending"]);
    expect(await step(runId)).toBe(false); // nothing moves until the action is reported
    expect((await status(user.token, runId)).steps.find((s: any) => s.id === acts[0].id).status).toBe("running");

    const waiting = await driveRun(user.token, runId, { stopAtApproval: true });
    const after = waiting.steps.filter((s: any) => s.phase === "act");
    expect(after.slice(0, 4).map((s: any) => [s.status, s.outcome])).toEqual([
      ["completed", "success"],
      ["completed", "success"],
      ["completed", "success"],
      ["completed", "success"],
    ]);
    expect(after[1]).toMatchObject({ output: "done: Find root cause", inputs: { understand_bug: { outcome: "success", output: "done: Understand the bug" } }, attempts: 1 });
    expect(waiting.status).toBe("running");
    expect(waiting.pending_approval).toMatchObject({ action: "execute_command", risk_score: 0.6, parameters: { command: "npm test" } });
    expect(after[4].status).toBe("pending"); // not delegated before a person approves
  });

  it("rejects unknown workflows and missing intents with -32602 and explains why", async () => {
    const user = await newUser();
    const missing = await rpc(user.token, "hydra.run", { workflowId: "wf_nope" });
    expect(missing.body.error).toMatchObject({ code: -32602, data: { field: "workflowId", reason: "not_found" } });
    const empty = await rpc(user.token, "hydra.run", {});
    expect(empty.body.error).toMatchObject({ code: -32602, message: "Invalid params", data: { issues: [{ path: "intent" }] } });
    const wrongType = await rpc(user.token, "hydra.run", { intent: 42 });
    expect(wrongType.body.error.data.issues[0].path).toBe("intent");
  });

  it("resumes from the last completed step after the object is restarted", async () => {
    const { abortAllDurableObjects } = await import("cloudflare:test");
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the queue design" })).body.result.run_id;
    await step(runId, 3); // perceive, think, decide
    const before = await status(user.token, runId);
    expect(before.steps.slice(0, 3).map((s: any) => s.status)).toEqual(["completed", "completed", "completed"]);
    await abortAllDurableObjects();
    const after = await driveRun(user.token, runId);
    expect(after.status).toBe("completed");
    expect(after.steps.slice(0, 3).map((s: any) => s.id)).toEqual(before.steps.slice(0, 3).map((s: any) => s.id));
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(names(events).filter((n) => n === "step_started").length).toBe(6); // nothing re-ran
  });
});
