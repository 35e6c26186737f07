// Measuring helpers for bench/run.mjs: server CPU from /proc, core pinning, load with latencies.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { request } from "undici";

const TICKS_PER_SECOND = 100;

/**
 * One measured request; returns the status and the body text.
 * - With undici's `request`, which costs the load generator a third of what `fetch` does: with
 *   fetch, the client used more CPU per request than the fastest servers and capped their req/s.
 * - Uncompressed: Miniflare emulates Cloudflare's edge compression inside the workerd process
 *   (gzip for JSON when the client accepts it), which in production runs in Cloudflare's front
 *   line, outside the Worker's CPU; the Node peer compresses nothing.
 */
export async function send(url, init = {}) {
  const res = await request(url, { method: init.method ?? "GET", headers: { ...init.headers, "accept-encoding": "identity" }, body: init.body });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Pids of the workerd processes this bench process started (Miniflare spawns them as children). */
export function childWorkerdPids() {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid;
      } catch {
        return false;
      }
    });
}

/**
 * CPU seconds (user + system) a process has used so far: the on-CPU nanoseconds of each of its
 * threads (`/proc/<pid>/task/<tid>/schedstat`), since `/proc/<pid>/stat` counts in 10 ms ticks,
 * a tenth of a 500-request pass. Falls back to the ticks where schedstat is missing.
 */
export function cpuSeconds(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread ended between listing and reading
      }
    }
    if (ns > 0) return ns / 1e9;
  } catch {
    // no task list: use the ticks below
  }
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * With two or more cores: servers on core 0, this process (the load generator) on core 1, so
 * the client's work does not land in the servers' CPU time slices. Returns what it did.
 */
export function pinProcesses(serverPids, cores = availableParallelism()) {
  if (cores < 2) return "not pinned (one core)";
  try {
    for (const pid of serverPids) execFileSync("taskset", ["-apc", "0", String(pid)], { stdio: "ignore" });
    execFileSync("taskset", ["-apc", "1", String(process.pid)], { stdio: "ignore" });
    return "servers on core 0, load generator on core 1 (taskset)";
  } catch {
    return "not pinned (taskset failed)";
  }
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * `total` requests with `concurrency` in flight (bounded by `maxSeconds` too). Returns req/s,
 * p50/p99 latency (ms), failures (non-2xx or a failing `check`), and the server's CPU ms per 1,000.
 */
export async function measure(makeRequest, { pid, total = 1000, concurrency = 32, maxSeconds = 20, check } = {}) {
  let sent = 0;
  let failed = 0;
  const latencies = [];
  const cpuBefore = cpuSeconds(pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  const worker = async () => {
    while (sent < total && performance.now() < deadline) {
      const i = sent++;
      const t = performance.now();
      const { status, body } = await send(...makeRequest(i));
      latencies.push(performance.now() - t);
      if (status < 200 || status > 299 || (check && !check(body))) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPer1k = ((cpuSeconds(pid) - cpuBefore) * 1e6) / sent;
  const client = process.cpuUsage(clientBefore);
  const clientCpuMsPer1k = (client.user + client.system) / sent; // µs per request = ms per 1k
  latencies.sort((a, b) => a - b);
  return { requests: sent, failed, rps: sent / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMsPer1k, clientCpuMsPer1k };
}

/**
 * SSE fan-out: opens `n` streams (50 connecting at a time) and times until all are connected,
 * then fires `trigger()` and times until every stream has seen `eventName`. Returns
 * {connectMs, delivered, p99Ms (from the trigger), cpuMs of the server for the whole exercise}.
 */
export async function fanout({ n, pid, open, trigger, eventName, timeoutMs = 30_000 }) {
  const abort = new AbortController();
  const decoder = new TextDecoder();
  const arrivals = [];
  let triggeredAt = Infinity;
  const readers = [];
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  let next = 0;
  const connectOne = async () => {
    while (next < n) {
      next++;
      const res = await fetch(...open(abort.signal));
      if (!res.ok) throw new Error(`subscribe → ${res.status} ${await res.text()}`);
      const reader = res.body.getReader();
      readers.push(
        (async () => {
          let text = "";
          for (;;) {
            const { value, done } = await reader.read().catch(() => ({ done: true }));
            if (done) return;
            text += decoder.decode(value, { stream: true });
            if (text.includes(`event: ${eventName}\n`)) {
              arrivals.push(performance.now() - triggeredAt);
              return;
            }
          }
        })(),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(50, n) }, connectOne));
  const connectMs = performance.now() - started;
  triggeredAt = performance.now();
  await trigger();
  await Promise.race([Promise.all(readers), new Promise((r) => setTimeout(r, timeoutMs))]);
  const cpuMs = (cpuSeconds(pid) - cpuBefore) * 1000;
  abort.abort();
  arrivals.sort((a, b) => a - b);
  return { n, connectMs, delivered: arrivals.length, p99Ms: percentile(arrivals, 99), cpuMs };
}
