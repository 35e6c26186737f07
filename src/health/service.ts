import type { Logger } from "../log";
import type { Bindings, Config } from "../env";
import { llmSettingsFrom } from "../runtime/planner/llm-provider";
import { healthProbeStub } from "../runtime/user-hub";

const PROBE_TIMEOUT_MS = 2_000;

type Probe = { status: "ok" | "error"; latency_ms: number; error?: string };
type SisterStatus = "ok" | "degraded" | "not_connected";

export interface HealthReport {
  status: "ok" | "degraded";
  uptime_seconds: number;
  dependencies: {
    d1: Probe;
    kv: Probe;
    durable_objects: Probe;
    llm_provider: { status: "configured" | "not_configured"; model?: string };
  };
  /** The documented one-word view of the same checks (an unconfigured provider is not connected). */
  sisters: { d1: SisterStatus; kv: SisterStatus; durable_objects: SisterStatus; llm_provider: SisterStatus };
}

async function probe<T>(log: Logger, check: () => Promise<T>): Promise<{ probe: Probe; value?: T }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS);
    });
    const value = await Promise.race([check(), timeout]);
    return { probe: { status: "ok", latency_ms: Date.now() - started }, value };
  } catch (err) {
    // Only a short cause: internals of the failing binding stay in the logs.
    log.error("health probe failed", { error: String(err) });
    return { probe: { status: "error", latency_ms: Date.now() - started, error: (err as Error).message === "timed out" ? "timed out" : "unavailable" } };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

const sister = (p: Probe): SisterStatus => (p.status === "ok" ? "ok" : "degraded");

/**
 * Real checks of every dependency: D1 answers a query, KV answers a read, a Durable Object
 * answers an RPC (its instance age is the reported uptime), the LLM provider is configured.
 */
export async function checkHealth(env: Bindings, config: Config, log: Logger): Promise<HealthReport> {
  const [d1, kv, durableObjects] = await Promise.all([
    probe(log, () => env.DB.prepare("SELECT 1 AS ok").first()),
    probe(log, () => env.KV.get("health:probe")),
    probe(log, () => healthProbeStub(env).ping()),
  ]);
  const llm = llmSettingsFrom(config);
  const healthy = [d1, kv, durableObjects].every((p) => p.probe.status === "ok");
  return {
    status: healthy ? "ok" : "degraded",
    uptime_seconds: durableObjects.value?.uptimeSeconds ?? 0,
    dependencies: {
      d1: d1.probe,
      kv: kv.probe,
      durable_objects: durableObjects.probe,
      llm_provider: llm ? { status: "configured", model: llm.model } : { status: "not_configured" },
    },
    sisters: {
      d1: sister(d1.probe),
      kv: sister(kv.probe),
      durable_objects: sister(durableObjects.probe),
      llm_provider: llm ? "ok" : "not_connected",
    },
  };
}
