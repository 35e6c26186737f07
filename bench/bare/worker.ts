/**
 * Bench-only reference Workers, served in the same mode as the product bundle: the least a Worker
 * can do for each kind of product path. Each route is one thing and nothing else.
 *   GET  /json                 constant JSON (the floor for any route)
 *   GET  /kv/:key              one KV get, the value passed through as text
 *   GET  /d1/:id               one D1 SELECT by primary key
 *   POST /rpc?bytes=N          a hand-rolled JSON-RPC answer: the body parsed, a result padded to
 *                              N bytes (the product's answer size): the ceiling for any MCP
 *                              server sending that answer in this serving mode
 *   GET  /limiter/:subject     the product's rate limiter alone (one RateLimiter call)
 *   GET  /sse/:topic           subscribe to a bare Durable Object's event stream
 *   POST /sse/:topic           publish one event to every subscriber of that topic
 */
import { DurableObject } from "cloudflare:workers";
import { consume } from "../../src/ratelimit/limiter";

export { RateLimiter } from "../../src/ratelimit/limiter-object";

interface Env {
  KV: KVNamespace;
  DB: D1Database;
  RATE_LIMITER: DurableObjectNamespace<import("../../src/ratelimit/limiter-object").RateLimiter>;
  BARE_HUB: DurableObjectNamespace<BareHub>;
}

const encoder = new TextEncoder();

/** Subscribers of one topic: a stream per subscriber, one write each per published event. */
export class BareHub extends DurableObject {
  private readonly writers = new Set<WritableStreamDefaultWriter<Uint8Array>>();

  override async fetch(request: Request): Promise<Response> {
    if (request.method === "POST") {
      const frame = encoder.encode(`event: ping\ndata: ${await request.text()}\n\n`);
      for (const w of this.writers) w.write(frame).catch(() => this.writers.delete(w));
      return Response.json({ subscribers: this.writers.size });
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    writer.write(encoder.encode("event: ready\ndata: {}\n\n")).catch(() => undefined);
    this.writers.add(writer);
    return new Response(readable, { headers: { "Content-Type": "text/event-stream" } });
  }
}

export default {
  async fetch(request, env) {
    const [, kind, arg] = new URL(request.url).pathname.split("/");
    switch (kind) {
      case "json":
        return Response.json({ status: "ok" });
      case "rpc": {
        const message = (await request.json()) as { id?: unknown };
        const bytes = Number(new URL(request.url).searchParams.get("bytes")) || 0;
        const answer = { jsonrpc: "2.0", id: message.id ?? null, result: { text: "" } };
        answer.result.text = "x".repeat(Math.max(0, bytes - JSON.stringify(answer).length));
        return Response.json(answer);
      }
      case "kv": {
        const value = await env.KV.get(arg!);
        return value === null ? new Response("missing", { status: 404 }) : new Response(value, { headers: { "Content-Type": "application/json" } });
      }
      case "d1": {
        const row = await env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(arg!).first();
        return row ? Response.json(row) : new Response("missing", { status: 404 });
      }
      case "limiter": {
        const decision = await consume(env, `u:${arg}`, { perMinute: 1e9, perHour: 1e9 }, new Date());
        return Response.json(decision);
      }
      case "sse": {
        const hub = env.BARE_HUB.get(env.BARE_HUB.idFromName(arg!));
        return hub.fetch(request);
      }
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
