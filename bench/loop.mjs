// The runtime's workstation loop for bench/run.mjs: runs whose steps all wait for a
// workstation, then `hydra.next_action` → `hydra.report_action` pairs against them.
import { cpuSeconds, percentile } from "./measure.mjs";
import { postApi, rpcClient } from "./serve.mjs";

/** Independent steps per run: all are delegated in the run's first act pass. */
const STEPS_PER_RUN = 20;

/** A workflow of STEPS_PER_RUN independent low-risk `file_read` steps (no approvals, all delegated). */
async function createLoopWorkflow(url, token) {
  const manifest = {
    manifest_version: "1.0",
    name: "Bench loop",
    intent: "Read the files a workstation has",
    steps: Array.from({ length: STEPS_PER_RUN }, (_, i) => ({ id: `read_${i}`, name: `Read file ${i}`, action: "file_read", parameters: { path: `src/f${i}.ts` } })),
  };
  return (await postApi(url, token, "/v1/workflows", { name: "Bench loop", manifest })).workflowId;
}

/**
 * Prepares the loop on a product served with a short step delay: returns `measureLoop(iterations,
 * {pid, concurrency})`, which starts enough runs, waits (unmeasured) until every one has all its
 * actions ready, then measures `iterations` claim + report pairs. Each call is one request.
 */
export async function prepareLoop(url, token) {
  const call = rpcClient(url, token);
  const workflowId = await createLoopWorkflow(url, token);

  async function readyRuns(count) {
    const ids = [];
    for (let i = 0; i < count; i++) ids.push((await call("hydra.run", { workflowId })).run_id);
    const deadline = Date.now() + 30_000;
    for (const id of ids) {
      for (;;) {
        const [run] = (await call("hydra.status", { run_id: id })).runs;
        if (run.actions.filter((a) => a.state === "ready").length === STEPS_PER_RUN) break;
        if (Date.now() > deadline) throw new Error(`loop run ${id} did not delegate its actions (status ${run.status})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return ids;
  }

  return async function measureLoop(iterations, { pid, concurrency }) {
    const runs = await readyRuns(Math.ceil(iterations / STEPS_PER_RUN));
    const left = runs.map(() => STEPS_PER_RUN);
    let next = 0;
    let started = 0;
    let requests = 0;
    let failed = 0;
    const latencies = [];
    const timed = async (method, params) => {
      const t = performance.now();
      try {
        return await call(method, params);
      } finally {
        latencies.push(performance.now() - t);
        requests++;
      }
    };
    const cpuBefore = cpuSeconds(pid);
    const t0 = performance.now();
    const deadline = t0 + 20_000;
    const worker = async () => {
      while (started < iterations && performance.now() < deadline) {
        started++;
        // Round-robin over runs that still have an unclaimed action.
        let r = next++ % runs.length;
        while (left[r] === 0) r = (r + 1) % runs.length;
        left[r]--;
        try {
          const { action } = await timed("hydra.next_action", { run_id: runs[r] });
          if (!action) throw new Error("no action to claim");
          const report = await timed("hydra.report_action", { action_id: action.action_id, outcome: "succeeded", output: "read" });
          if (!report.success) throw new Error("report refused");
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, iterations) }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const cpuMsPer1k = ((cpuSeconds(pid) - cpuBefore) * 1e6) / requests;
    latencies.sort((a, b) => a - b);
    return { requests, failed, rps: requests / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMsPer1k };
  };
}
