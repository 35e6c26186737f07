import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { connectClient, createDeployment, createWorkflow } from "./helpers/deployments";
import { nextAction, openStream, readEvents, reportAction, rpc, status, waitFor } from "./helpers/runtime";

const RUN_TOOLS = ["start_run", "next_action", "report_action", "run_status", "cancel_run"];

/** What the agent reports for each action of the bug-fix workflow (the next step must receive it). */
const outputFor = (action: string) => `${action}: done`;

async function finishedStream(token: string, runId: string) {
  const stream = await openStream(token, `/runs/${runId}/events`);
  return readEvents(stream, (e) => e.some((x) => x.event === "system_shutdown"), 10_000);
}

describe("driving a run from the IDE over MCP", () => {
  it("the SDK client plays Claude Code: start_run, next_action, report_action; a person approves; run_completed success", async () => {
    const owner = await newUser();
    const wf = await createWorkflow(owner.token);
    const d = await createDeployment(owner.token, { workflowIds: [wf.workflowId] });
    const { client } = await connectClient(d.mcpEndpoint, "claude-code", { token: owner.token });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(RUN_TOOLS));
    expect(names).not.toContain("approve"); // approvals are a person's, never the agent's

    const prompt = await client.getPrompt({ name: "bug_fix_workflow" });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain("start_run");

    const started = await client.callTool({ name: "start_run", arguments: { workflow: "bug_fix_workflow", task: "Login fails on Safari" } });
    expect(started.isError).toBeFalsy();
    const { run_id: runId, workflow_id, version } = started.structuredContent as any;
    expect({ workflow_id, version }).toEqual({ workflow_id: wf.workflowId, version: "1.0.0" });
    expect((started.content as any)[0].text).toContain("next_action");
    expect((await status(owner.token, runId)).intent).toBe("Login fails on Safari");

    const seen: any[] = [];
    let approvals = 0;
    for (let i = 0; i < 20; i += 1) {
      const next = await client.callTool({ name: "next_action", arguments: { run_id: runId, wait_seconds: 10 } });
      expect(next.isError).toBeFalsy();
      const out = next.structuredContent as any;
      if (out.waiting_for) {
        // The risky step waits for a human: the agent tells the user, who decides through /rpc.
        expect((next.content as any)[0].text).toContain(out.waiting_for.approve_url);
        const run = await status(owner.token, runId);
        expect(run.pending_approval).toMatchObject(approvals === 0 ? { action: "execute_command", parameters: { command: "npm test" } } : { action: "review_and_commit" });
        const approved = await rpc(owner.token, "hydra.approve", { approval_id: out.waiting_for.approval_id, decision: "approved", parameters_hash: run.pending_approval.parameters_hash });
        expect(approved.body.result.success).toBe(true);
        approvals += 1;
        continue;
      }
      if (!out.action) {
        const run = await status(owner.token, runId);
        if (run.status === "completed") break;
        continue;
      }
      seen.push(out.action);
      expect((next.content as any)[0].text).toContain(out.action.action_id);
      const reported = await client.callTool({ name: "report_action", arguments: { action_id: out.action.action_id, outcome: "succeeded", output: outputFor(out.action.action) } });
      expect(reported.structuredContent).toMatchObject({ success: true, run_id: runId, step_id: out.action.step_id, status: "completed" });
      if (seen.length === 6) break;
    }
    expect(approvals).toBe(2); // running the tests, and committing
    expect(seen.map((a) => a.action)).toEqual(["research_agent", "analyze_code", "code_agent", "generate_tests", "execute_command", "review_and_commit"]);
    // Each step's inputs are what the agent reported for the step before.
    expect(seen[1].inputs).toEqual({ understand_bug: { outcome: "success", output: outputFor("research_agent") } });
    expect(seen[5].inputs).toEqual({ run_tests: { outcome: "success", output: outputFor("execute_command") } });

    const { events } = await finishedStream(owner.token, runId);
    expect(events.find((e) => e.event === "run_completed")?.data).toMatchObject({ run_id: runId, status: "success" });
    const statusTool = await client.callTool({ name: "run_status", arguments: { run_id: runId } });
    const run = statusTool.structuredContent as any;
    expect(run.status).toBe("completed");
    expect(run.steps.every((s: any) => s.status === "completed")).toBe(true);
    expect((statusTool.content as any)[0].text).toContain("completed");

    const again = await client.callTool({ name: "next_action", arguments: { run_id: runId } });
    expect(again.isError).toBe(true);
    expect(again.structuredContent).toMatchObject({ error: { reason: "not_active" } });
    await client.close();
  });

  it("the same loop through /rpc alone", async () => {
    const user = await newUser();
    const wf = await createWorkflow(user.token);
    const runId = (await rpc(user.token, "hydra.run", { workflowId: wf.workflowId, intent: "Fix the crash" })).body.result.run_id;
    const reportedSteps: string[] = [];
    for (let i = 0; i < 20 && reportedSteps.length < 6; i += 1) {
      const next = await nextAction(user.token, { run_id: runId, wait_seconds: 10 });
      if (next.waiting_for) {
        await rpc(user.token, "hydra.approve", { approval_id: next.waiting_for.approval_id, decision: "approved" });
        continue;
      }
      if (!next.action) continue;
      if (reportedSteps.length > 0) expect(Object.values(next.action.inputs)[0]).toEqual({ outcome: "success", output: `${reportedSteps.at(-1)} ok` });
      const res = await reportAction(user.token, next.action.action_id, "succeeded", `${next.action.action} ok`);
      expect(res.body.result.status).toBe("completed");
      reportedSteps.push(next.action.action);
    }
    const done = await waitFor(user.token, runId, (r) => r.status === "completed");
    expect(done.steps.every((s: any) => s.status === "completed")).toBe(true);
    const { events } = await finishedStream(user.token, runId);
    expect(events.find((e) => e.event === "run_completed")?.data.status).toBe("success");
  });

  it("run tools are only for the owner's credential, never on anonymous connections", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const wf = await createWorkflow(owner.token);
    const d = await createDeployment(owner.token, { workflowIds: [wf.workflowId], allowAnonymous: true });
    for (const opts of [{}, { token: stranger.token }]) {
      const { client } = await connectClient(d.mcpEndpoint, "claude-code", opts);
      const names = (await client.listTools()).tools.map((t) => t.name);
      for (const tool of RUN_TOOLS) expect(names).not.toContain(tool);
      await expect(client.callTool({ name: "start_run", arguments: { workflow: "bug_fix_workflow" } })).rejects.toThrow(/Unknown tool/);
      await client.close();
    }
    const { client } = await connectClient(d.mcpEndpoint, "cursor-vscode", { token: owner.token });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(RUN_TOOLS));
    const unknown = await client.callTool({ name: "start_run", arguments: { workflow: "nope" } });
    expect(unknown).toMatchObject({ isError: true, structuredContent: { error: { reason: "not_found" } } });
    const started = await client.callTool({ name: "start_run", arguments: { workflow: `workflow_bug_fix_workflow` } });
    const runId = (started.structuredContent as any).run_id;
    const cancelled = await client.callTool({ name: "cancel_run", arguments: { run_id: runId } });
    expect(cancelled.structuredContent).toMatchObject({ success: true, status: "cancelled" });
    const report = await client.callTool({ name: "report_action", arguments: { action_id: "act_nope", outcome: "succeeded" } });
    expect(report).toMatchObject({ isError: true, structuredContent: { error: { reason: "not_found" } } });
    await client.close();
  });
});
