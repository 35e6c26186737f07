import { describe, expect, it } from "vitest";
import { api } from "./helpers/http";
import { newUser } from "./helpers/auth";
import { workflowBody } from "./helpers/fixtures";
import { manualRpc, names, openStream, readEvents, rpc, status, step, stepUntil, waitFor } from "./helpers/runtime";

describe("hydra.run", () => {
  it("runs an intent to run_completed with every phase's events in order", async () => {
    const user = await newUser();
    const res = await rpc(user.token, "hydra.run", { intent: "Research how our cache works" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect(res.body).toMatchObject({ jsonrpc: "2.0", result: { status: "accepted" } });
    const runId = res.body.result.run_id as string;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);

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

  it("plans a workflow's manifest in dependency order and delegates workstation actions", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody() });
    expect(created.status).toBe(201);
    const workflowId = created.body.data.workflowId;
    const started = await manualRpc(user.token, "hydra.run", { intent: "Fix the login bug", workflowId });
    const runId = started.body.result.run_id;
    const waiting = await stepUntil(user.token, runId, (r) => r.pending_approval !== null);
    const acts = waiting.steps.filter((s: any) => s.phase === "act");
    expect(acts.map((s: any) => s.action)).toEqual(["research_agent", "analyze_code", "code_agent", "generate_tests", "execute_command", "review_and_commit"]);
    expect(acts.slice(0, 4).map((s: any) => s.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(acts[1]).toMatchObject({ outcome: "delegated", result: { delegation: { action: "analyze_code" } } });
    expect(waiting.status).toBe("running");
    expect(waiting.pending_approval).toMatchObject({ action: "execute_command", risk_score: 0.6 });
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
    const after = await stepUntil(user.token, runId, (r) => r.status === "completed");
    expect(after.steps.slice(0, 3).map((s: any) => s.id)).toEqual(before.steps.slice(0, 3).map((s: any) => s.id));
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(names(events).filter((n) => n === "step_started").length).toBe(6); // nothing re-ran
  });
});
