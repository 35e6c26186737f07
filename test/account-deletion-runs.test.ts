import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { llmScenario, planAnswer } from "./helpers/llm";
import { driveRun, manualRpc, names, openStream, readEvents, runObject, status, step } from "./helpers/runtime";

async function startManual(token: string, intent: string, extraEnv: Record<string, string> = {}) {
  return (await manualRpc(token, "hydra.run", { intent }, extraEnv)).body.result.run_id as string;
}

/** A run stream subscription from the first event, as GET /runs/{id}/events asks for it. */
const fromStart = { lastEventId: null, heartbeatMs: 30_000 };

/** The run as its Durable Object holds it (the D1 history is gone with the account). */
const storedRun = (runId: string) => runInDurableObject(runObject(runId), async (_obj, state) => state.storage.kv.get<any>("state"));

describe("DELETE /v1/users/me and the user's runs", () => {
  it("stops every active run like hydra.kill instant, then erases the run objects; nothing runs again", async () => {
    const user = await newUser();
    const bystander = await newUser();
    const midway = await startManual(user.token, "Research the billing flow");
    await step(midway, 2); // perceive, think
    const waiting = await startManual(user.token, "Add the missing tests");
    await driveRun(user.token, waiting, { stopAtApproval: true });
    const othersRun = await startManual(bystander.token, "Research the billing flow");

    // A live subscriber sees the run stopped (kill instant) before its storage is erased.
    const live = readEvents(
      new Response(await runObject(midway).events(user.sub, fromStart)),
      (events) => events.some((e) => e.event === "system_shutdown"),
      10_000,
    );

    const hub = readEvents(await openStream(user.token, "/events"), (e) => e.some((x) => x.event === "system_shutdown"), 10_000);

    const res = await api("DELETE", "/v1/users/me", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ userId: user.sub, deleted: true });

    const hubEvents = (await hub).events;
    expect(hubEvents.at(-1)).toMatchObject({ event: "system_shutdown", data: { reason: "Account deleted" } });
    const { events } = await live;
    expect(events.at(-2)).toMatchObject({ event: "run_cancelled", data: { run_id: midway, reason: "Account deleted", level: "instant" } });
    expect(names(events)).not.toContain("run_completed");

    for (const runId of [midway, waiting]) {
      expect(await storedRun(runId)).toBeUndefined(); // state and event log erased
      expect(await step(runId)).toBe(false); // no alarm left: nothing will run again
      expect(await runObject(runId).events(user.sub, fromStart)).toBeNull(); // its event stream is not found
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM runs WHERE user_id = ?").bind(user.sub).first<{ n: number }>())!.n).toBe(0);
    expect((await status(bystander.token, othersRun)).status).toBe("running");
  });

  it("aborts a run's in-flight LLM provider call", async () => {
    const user = await newUser();
    const llm = await llmScenario([{ delayMs: 10_000, content: planAnswer([{ id: "r", name: "Research", action: "research_agent" }]) }]);
    const runId = await startManual(user.token, "Research the billing flow", { ...llm.env, RUNTIME_STEP_DELAY_MS: "20" });
    await llm.waitForCalls((calls) => calls.length === 1);

    const started = Date.now();
    const res = await api("DELETE", "/v1/users/me", { token: user.token });
    expect(res.body.data).toMatchObject({ deleted: true });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await storedRun(runId)).toBeUndefined();
    const calls = await llm.waitForCalls((c) => c[0]?.aborted === true);
    expect(calls[0]).toMatchObject({ aborted: true, answered: false });
  });
});
