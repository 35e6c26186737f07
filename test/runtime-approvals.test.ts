import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, names, openStream, readEvents, rpc, status, step } from "./helpers/runtime";

/** "Add … tests" plans research → generate_code → generate_tests → execute_command (0.6: approval) */
async function runWaitingForApproval(token: string) {
  const runId = (await manualRpc(token, "hydra.run", { intent: "Add the missing tests" })).body.result.run_id as string;
  const waiting = await driveRun(token, runId, { stopAtApproval: true });
  return { runId, waiting, approval: waiting.pending_approval };
}

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("approvals", () => {
  it("waits durably for approval with status running, then continues when approved", async () => {
    const user = await newUser();
    const { runId, waiting, approval } = await runWaitingForApproval(user.token);
    expect(waiting.status).toBe("running");
    expect(approval).toMatchObject({ action: "execute_command", risk_score: 0.6, reason: "Executes a command on the workstation" });
    const ttl = Date.parse(approval.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);

    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), (e) => e.some((x) => x.event === "approval_required"));
    const required = events.find((e) => e.event === "approval_required")!;
    expect(required.data).toEqual({
      run_id: runId,
      approval_id: approval.approval_id,
      step_id: approval.step_id,
      action: "execute_command",
      risk_score: 0.6,
      reason: "Executes a command on the workstation",
      expires_at: approval.expires_at,
      description: "Run the tests",
      parameters: { command: "npm test" },
      // sha256 of the RFC 8785 form of {"command":"npm test"}
      parameters_hash: await sha256Hex('{"command":"npm test"}'),
      // The dashboard's run page on the Worker's origin (PUBLIC_BASE_URL when set).
      approve_url: `${new URL(approval.approve_url).origin}/runs/${runId}`,
    });
    // Not delegated before a person decides.
    expect(events.filter((e) => e.event === "action_delegated").map((e) => e.data.step_id)).not.toContain(approval.step_id);
    // The code-generation step (0.35) proceeded with a notice.
    expect(events.find((e) => e.event === "risk_notice")?.data).toMatchObject({ action: "generate_code", risk_score: 0.35 });

    const approved = await manualRpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "approved" });
    expect(approved.status).toBe(200);
    expect(approved.body.result).toEqual({ success: true, approval_id: approval.approval_id, run_id: runId, decision: "approved" });

    const twice = await manualRpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "denied" });
    expect(twice.body.error).toMatchObject({ code: -32602, data: { reason: "already_decided", decision: "approved" } });

    const done = await driveRun(user.token, runId, { outputOf: (a) => (a.action === "execute_command" ? "12 tests passed" : "ok") });
    const command = done.steps.find((s: any) => s.action === "execute_command");
    expect(command).toMatchObject({ status: "completed", outcome: "success", risk_score: 0.6, output: "12 tests passed" });
    expect(done.pending_approval).toBeNull();
  });

  it("denied: the step (and its dependents) are skipped and the run completes as partial", async () => {
    const user = await newUser();
    const { runId, approval } = await runWaitingForApproval(user.token);
    const denied = await manualRpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "denied" });
    expect(denied.body.result).toMatchObject({ success: true, decision: "denied" });
    const done = await driveRun(user.token, runId);
    expect(done.steps.find((s: any) => s.action === "execute_command")).toMatchObject({ status: "skipped", outcome: "denied" });
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(events.find((e) => e.event === "approval_resolved")?.data).toEqual({ run_id: runId, approval_id: approval.approval_id, decision: "denied" });
    expect(events.find((e) => e.event === "run_completed")?.data).toMatchObject({ run_id: runId, status: "partial" });
    const again = await manualRpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "approved" });
    expect(again.body.error).toMatchObject({ code: -32602, data: { reason: "already_decided", decision: "denied" } });
  });

  it("expires by alarm: the step is skipped, and approving afterwards is a clear error", async () => {
    const user = await newUser();
    const { runId, approval } = await runWaitingForApproval(user.token);
    await step(runId); // the only alarm while waiting is the approval's expiry
    const after = await status(user.token, runId);
    expect(after.pending_approval).toBeNull();
    expect(after.steps.find((s: any) => s.action === "execute_command")).toMatchObject({ status: "skipped", outcome: "expired" });
    const late = await manualRpc(user.token, "hydra.approve", { approval_id: approval.approval_id, decision: "approved" });
    expect(late.body.error).toMatchObject({ code: -32602, message: `Approval '${approval.approval_id}' has expired`, data: { reason: "expired" } });
    const done = await driveRun(user.token, runId);
    expect(done.status).toBe("completed");
  });

  it("expires on its own after APPROVAL_TTL_SECONDS", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Add the missing tests" }, { APPROVAL_TTL_SECONDS: "1" })).body.result.run_id;
    const waiting = await driveRun(user.token, runId, { stopAtApproval: true });
    expect(Date.parse(waiting.pending_approval.expires_at) - Date.now()).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 1300));
    const late = await manualRpc(user.token, "hydra.approve", { approval_id: waiting.pending_approval.approval_id, decision: "approved" });
    expect(late.body.error.data.reason).toBe("expired");
  });

  it("blocks clearly destructive actions (risk >= 0.9) without asking", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Clean up with `rm -rf /var/app`" })).body.result.run_id;
    const done = await driveRun(user.token, runId);
    const shell = done.steps.find((s: any) => s.action === "shell_execute");
    expect(shell).toMatchObject({ status: "skipped", outcome: "blocked", risk_score: 0.95, risk_reason: "Recursive forced delete (rm -rf)" });
    expect(done.pending_approval).toBeNull();
    const { events } = await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false);
    expect(names(events)).not.toContain("approval_required");
  });

  it("another user cannot approve, and unknown approvals are not found", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { approval } = await runWaitingForApproval(owner.token);
    const stolen = await rpc(other.token, "hydra.approve", { approval_id: approval.approval_id, decision: "approved" });
    expect(stolen.body.error).toMatchObject({ code: -32602, data: { field: "approval_id", reason: "not_found" } });
    const unknown = await rpc(owner.token, "hydra.approve", { approval_id: "nope", decision: "approved" });
    expect(unknown.body.error.data.reason).toBe("not_found");
    const bad = await rpc(owner.token, "hydra.approve", { approval_id: approval.approval_id, decision: "maybe" });
    expect(bad.body.error).toMatchObject({ code: -32602, data: { issues: [{ path: "decision", message: 'decision must be "approved" or "denied"' }] } });
    const [run] = (await rpc(owner.token, "hydra.status", {})).body.result.runs;
    expect(run.pending_approval).toMatchObject({ approval_id: approval.approval_id }); // untouched
  });
});
