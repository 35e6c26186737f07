// Platform-core throughput relative to a bare baseline measured in the same run.
// Usage: node bench/core.mjs [total-per-scenario]
import { devToken, load, serveBundle } from "./serve.mjs";

const total = Number(process.argv[2] ?? 2000);
const { url, mf } = await serveBundle();
try {
  const auth = { Authorization: `Bearer ${await devToken("bench-user")}` };
  const manifest = {
    manifest_version: "1.0",
    name: "Bench",
    steps: [
      { id: "a", name: "A", action: "analyze_code" },
      { id: "b", name: "B", action: "code_agent", depends_on: ["a"] },
    ],
  };
  await fetch(`${url}/v1/users/me`, { headers: auth }); // creates the user
  // Enterprise: no workflow limit, so every POST really creates.
  await (await mf.getD1Database("DB")).prepare("UPDATE users SET plan = 'enterprise' WHERE id = 'bench-user'").run();

  const scenarios = {
    "GET /health/live (baseline)": () => [`${url}/health/live`],
    "GET /v1/users/me": () => [`${url}/v1/users/me`, { headers: auth }],
    "GET /v1/workflows?limit=20": () => [`${url}/v1/workflows?limit=20`, { headers: auth }],
    "POST /v1/workflows": (i) => [
      `${url}/v1/workflows`,
      { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify({ name: `Bench ${i}`, manifest }) },
    ],
  };
  await load(scenarios["GET /health/live (baseline)"], { total: 200 }); // warm-up
  let baseline = 0;
  console.log(`scenario | req/s | ratio to baseline | failed`);
  for (const [name, make] of Object.entries(scenarios)) {
    const r = await load(make, { total: name.startsWith("POST") ? Math.min(total, 500) : total });
    baseline ||= r.rps;
    console.log(`${name} | ${r.rps.toFixed(0)} | ${(r.rps / baseline).toFixed(2)} | ${r.failed}`);
  }
} finally {
  await mf.dispose();
}
