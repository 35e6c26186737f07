import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { driveRun, manualRpc, names, openStream, readEvents, step, type SseEvent } from "./helpers/runtime";

const runEventsOnly = (events: SseEvent[]) => events.filter((e) => !["system_ready", "heartbeat", "system_shutdown"].includes(e.event));

describe("GET /runs/{run_id}/events", () => {
  it("replays from Last-Event-ID with nothing lost or duplicated", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;
    expect((await driveRun(user.token, runId)).status).toBe("completed");

    const full = runEventsOnly((await readEvents(await openStream(user.token, `/runs/${runId}/events`), () => false)).events);
    const cut = 5;
    const resumed = await readEvents(await openStream(user.token, `/runs/${runId}/events`, { "Last-Event-ID": full[cut - 1]!.id! }), () => false);
    expect(resumed.events[0]).toMatchObject({ event: "system_ready", id: String(cut) });
    expect(runEventsOnly(resumed.events)).toEqual(full.slice(cut));
    const viaQuery = await readEvents(await openStream(user.token, `/runs/${runId}/events?lastEventId=${full.length}`), () => false);
    expect(names(viaQuery.events)).toEqual(["system_ready", "system_shutdown"]);
  });

  it("streams a live run: a late subscriber gets the log from the start, then live events", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the deploy pipeline" })).body.result.run_id;
    await step(runId, 2);
    const stream = await openStream(user.token, `/runs/${runId}/events`);
    const reading = readEvents(stream, (e) => e.some((x) => x.event === "system_shutdown"), 10_000);
    await driveRun(user.token, runId);
    const { events, ended } = await reading;
    expect(ended || events.at(-1)?.event === "system_shutdown").toBe(true);
    const ids = runEventsOnly(events).map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(runEventsOnly(events)[0]!.event).toBe("run_started");
    expect(runEventsOnly(events).at(-1)!.event).toBe("run_completed");
  });

  it("sends heartbeats at the configured interval", async () => {
    const user = await newUser();
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research heartbeats" })).body.result.run_id;
    const stream = await openStream(user.token, `/runs/${runId}/events`, {}, { HEARTBEAT_INTERVAL_MS: "50" });
    expect(stream.headers.get("Cache-Control")).toBe("no-cache, no-transform");
    const { events } = await readEvents(stream, (e) => e.filter((x) => x.event === "heartbeat").length >= 2, 3000);
    const beats = events.filter((e) => e.event === "heartbeat");
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toEqual({ event: "heartbeat", data: { status: "alive" }, id: "1" });
  });

  it("is not found for another user's run, and 401 without credentials", async () => {
    const owner = await newUser();
    const other = await newUser();
    const runId = (await manualRpc(owner.token, "hydra.run", { intent: "Secret research" })).body.result.run_id;
    const res = await api("GET", `/runs/${runId}/events`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: { code: "NOT_FOUND", message: `Run '${runId}' was not found`, details: {} } });
    const anon = await api("GET", `/runs/${runId}/events`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(anon.body.error.code).toBe("UNAUTHORIZED");
  });
});

describe("GET /events", () => {
  it("starts from now, carries only the caller's runs, and replays from Last-Event-ID", async () => {
    const user = await newUser();
    const other = await newUser();
    const earlier = (await manualRpc(user.token, "hydra.run", { intent: "Research before connecting" })).body.result.run_id;

    const stream = await openStream(user.token, "/events");
    expect(stream.status).toBe(200);
    expect(stream.headers.get("Content-Type")).toContain("text/event-stream");
    const runId = (await manualRpc(user.token, "hydra.run", { intent: "Research the hub" })).body.result.run_id;
    await manualRpc(other.token, "hydra.run", { intent: "Someone else's work" });
    await driveRun(user.token, runId);
    const live = await readEvents(stream, (e) => e.some((x) => x.event === "run_completed"));
    expect(live.events[0]!.event).toBe("system_ready");
    const liveRun = runEventsOnly(live.events);
    expect(liveRun.every((e: any) => e.data.run_id === runId)).toBe(true); // not the earlier run, not the other user's
    expect(liveRun.map((e) => e.event)).toContain("step_started");
    const hubIds = liveRun.map((e) => Number(e.id));
    expect(hubIds).toEqual(hubIds.map((_, i) => hubIds[0]! + i));
    expect(earlier).toBeTruthy();

    // Reconnect after the third live event: exactly the rest, once.
    const cut = liveRun[2]!;
    const replay = await readEvents(await openStream(user.token, "/events", { "Last-Event-ID": cut.id! }), (e) => e.some((x) => x.event === "run_completed"));
    expect(runEventsOnly(replay.events)).toEqual(liveRun.slice(3));

    const otherStream = await readEvents(await openStream(other.token, "/events", { "Last-Event-ID": "0" }), (e) => e.some((x) => x.event === "run_started"));
    expect(runEventsOnly(otherStream.events).every((e: any) => e.data.run_id !== runId && e.data.run_id !== earlier)).toBe(true);
  });
});
