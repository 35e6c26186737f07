import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { createApp } from "../src/app";
import { unsafeUrlReason } from "../src/runtime/executors/safe-url";
import { scoreRisk } from "../src/runtime/risk";
import { offlinePlan } from "../src/runtime/planner/offline";
import { newUser } from "./helpers/auth";
import { readResponse, request } from "./helpers/http";
import { driveRun, manualRpc } from "./helpers/runtime";

describe("risk table", () => {
  it("scores by action and parameters and picks the gate", () => {
    expect(scoreRisk("file_read", {})).toMatchObject({ score: 0.1, gate: "proceed" });
    expect(scoreRisk("edit_file", {})).toMatchObject({ score: 0.4, gate: "notice" });
    expect(scoreRisk("shell_execute", { command: "ls" })).toMatchObject({ score: 0.7, gate: "approval" });
    expect(scoreRisk("review_and_commit", {})).toMatchObject({ gate: "approval" });
    expect(scoreRisk("webhook_integration", { url: "https://example.com" })).toMatchObject({ gate: "approval" });
    expect(scoreRisk("api_integration", { url: "https://example.com", method: "GET" })).toMatchObject({ score: 0.2, gate: "proceed" });
    expect(scoreRisk("shell_execute", { command: "rm -rf /" })).toMatchObject({ score: 0.95, gate: "block" });
    expect(scoreRisk("execute_command", { command: "git push --force origin main" })).toMatchObject({ gate: "block" });
    expect(scoreRisk("database_integration", { sql: "DROP TABLE users" })).toMatchObject({ gate: "block" });
    // Destructive parameters count whatever the action is called.
    expect(scoreRisk("analyze_code", { command: "rm -rf /" })).toMatchObject({ score: 0.95, gate: "block", reason: "Recursive forced delete (rm -rf)" });
    expect(scoreRisk("research_agent", { note: "then DROP TABLE users" })).toMatchObject({ gate: "block" });
    expect(scoreRisk("research_agent", { question: "why is the cache slow?" })).toMatchObject({ gate: "proceed" });
  });
});

describe("integration URLs", () => {
  it("allow only https to public hosts", () => {
    expect(unsafeUrlReason("https://api.example.com/x")).toBeNull();
    for (const url of ["http://api.example.com", "https://localhost/x", "https://127.0.0.1", "https://10.1.2.3", "https://192.168.0.1", "https://169.254.169.254/latest", "https://[::1]/", "https://[fd00::1]/", "https://intranet", "https://svc.internal", "https://user:pw@example.com"]) {
      expect(unsafeUrlReason(url), url).not.toBeNull();
    }
  });

  it("a run calling a private address fails that step without any network access", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Fetch https://127.0.0.1/admin" })).body.result.run_id;
    const done = await driveRun(user.token, runId);
    expect(done.steps.find((s: any) => s.action === "api_integration")).toMatchObject({
      status: "failed",
      error: "Refused: private and loopback addresses are not allowed",
    });
    expect(done.error).toContain("1 step(s) failed");
  });
});

describe("offline planner", () => {
  it("is deterministic and chains its steps", () => {
    const plan = offlinePlan("Fix the crash and add tests, then commit");
    expect(plan).toEqual(offlinePlan("Fix the crash and add tests, then commit"));
    expect(plan.map((p) => p.action)).toEqual(["research_agent", "analyze_code", "code_agent", "generate_tests", "execute_command", "review_and_commit"]);
    expect(plan[3]!.dependsOn).toEqual(["step_3"]);
  });
});

describe("health with an LLM provider configured", () => {
  it("reports it configured (without calling it)", async () => {
    const { token } = await newUser();
    const res = await createApp().fetch(
      request("POST", "/rpc", { token, body: { jsonrpc: "2.0", id: 1, method: "hydra.health" } }),
      { ...env, LLM_BASE_URL: "https://llm.example.com/v1", LLM_MODEL: "tiny-model" },
      createExecutionContext(),
    );
    const body = (await readResponse(res)).body;
    expect(body.result.dependencies.llm_provider).toEqual({ status: "configured", model: "tiny-model" });
  });
});
