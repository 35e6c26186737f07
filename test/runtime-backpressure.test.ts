import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { driveRun, manualRpc, names, openStream, readEvents, runObject } from "./helpers/runtime";

/** How many live streams a Durable Object holds (its SubscriberSet), read inside the object. */
const liveStreams = (stub: DurableObjectStub, of: (obj: any) => any) =>
  runInDurableObject(stub, async (obj) => of(obj).subscribers.size as number);
const runSubscribers = (runId: string) => liveStreams(runObject(runId) as unknown as DurableObjectStub, (obj) => obj.run.journal.subscribers);
const hubSubscribers = (userId: string) => liveStreams(env.USER_HUB.get(env.USER_HUB.idFromName(`user:${userId}`)) as unknown as DurableObjectStub, (obj) => obj.subscribers);

async function eventually(read: () => Promise<number>, expected: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

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

  it("are forgotten by the run and the hub once they disconnect (at the next frame, at the latest a heartbeat)", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;
    const beats = { HEARTBEAT_INTERVAL_MS: "50" };
    const onRun = await openStream(user.token, `/runs/${runId}/events`, {}, beats);
    const onHub = await openStream(user.token, "/events", {}, beats);
    expect(await runSubscribers(runId)).toBe(1);
    expect(await hubSubscribers(user.sub)).toBe(1);

    await onRun.body!.cancel();
    await onHub.body!.cancel();
    expect(await eventually(() => runSubscribers(runId), 0)).toBe(0);
    expect(await eventually(() => hubSubscribers(user.sub), 0)).toBe(0);
  });

  it("are dropped once too many frames wait unread, ending their stream", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;
    // A heartbeat every millisecond and nobody reading: the queue grows until the bound drops it.
    const stream = (await runObject(runId).events(user.sub, { lastEventId: null, heartbeatMs: 1 }))!;
    expect(await eventually(() => runSubscribers(runId), 0, 10_000)).toBe(0);
    const reader = stream.getReader();
    const drain = async () => {
      for (;;) if ((await reader.read()).done) return "ended";
    };
    await expect(drain()).rejects.toThrow();
  });
});
