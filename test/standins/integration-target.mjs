// A local stand-in for everything an integration step may reach, bound to the Worker under
// test as the INTEGRATION_API egress binding (vitest.config.ts), so no test request ever
// leaves the machine. It records every attempted request (GET /__calls?host=… lists those for
// one host) and answers DNS-over-HTTPS JSON look-ups at /dns-query:
//   rebind-*  → A 127.0.0.1          v6rebind-* → AAAA ::1 (no A)
//   nxdomain-* → NXDOMAIN             anything else → A 93.184.216.34
// A request with `?delay_ms=N` is answered only after N ms (a slow target); its call records
// whether the caller gave up first (`aborted: true`).
// The calls live in this stand-in's memory: it is a test double in one local process.

import { sleepUnlessAborted } from "./sleep.mjs";

const calls = [];

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function dns(url) {
  const name = url.searchParams.get("name") ?? "";
  const type = url.searchParams.get("type");
  calls.push({ method: "DNS", host: name, type });
  const label = name.split(".")[0];
  if (label.startsWith("nxdomain-")) return json({ Status: 3, Answer: [] });
  const answer = (rrType, data) => json({ Status: 0, Answer: [{ name, type: rrType, TTL: 60, data }] });
  if (label.startsWith("v6rebind-")) return type === "AAAA" ? answer(28, "::1") : json({ Status: 0, Answer: [] });
  if (label.startsWith("rebind-")) return type === "A" ? answer(1, "127.0.0.1") : json({ Status: 0, Answer: [] });
  return type === "A" ? answer(1, "93.184.216.34") : json({ Status: 0, Answer: [] });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__calls") return json(calls.filter((c) => c.host === url.searchParams.get("host")));
    if (url.pathname === "/dns-query") return dns(url);
    const call = { method: request.method, host: url.hostname, path: url.pathname };
    calls.push(call);
    const delayMs = Number(url.searchParams.get("delay_ms") ?? 0);
    if (delayMs > 0) {
      call.aborted = await sleepUnlessAborted(delayMs, request.signal);
      if (call.aborted) return json({ error: "client went away" }, 499);
    }
    return json({ ok: true });
  },
};
