import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, names, openStream, readEvents } from "./helpers/runtime";

describe("slow or dead subscribers", () => {
  it("never block the run or the other subscribers", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;

    // Two subscribers that never read a byte: one on the run, one on the user's hub.
    const stalledRun = await openStream(user.token, `/runs/${runId}/events`);
    const stalledHub = await openStream(user.token, "/events");
    // One subscriber that disconnects at once.
    const dead = await openStream(user.token, `/runs/${runId}/events`);
    await dead.body?.cancel();

    const healthy = await openStream(user.token, `/runs/${runId}/events`);
    const reading = readEvents(healthy, (e) => e.some((x) => x.event === "system_shutdown"), 15_000);
    const finished = await driveRun(user.token, runId);
    expect(finished.status).toBe("completed");

    const { events } = await reading;
    expect(names(events)).toContain("run_completed");
    expect(names(events).at(-1)).toBe("system_shutdown");

    await stalledRun.body?.cancel();
    await stalledHub.body?.cancel();
  });
});
