import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "test",
            // The tests' requests go to https://hydra.test, the public host the MCP Host check allows.
            PUBLIC_BASE_URL: "https://hydra.test",
            // Generous limits so feature tests are not throttled; the rate-limit tests pass
            // their own small limits through createApp's env.
            RATE_LIMITS: JSON.stringify({
              free: { perMinute: 10_000, perHour: 100_000 },
              pro: { perMinute: 10_000, perHour: 100_000 },
              team: { perMinute: 10_000, perHour: 100_000 },
              enterprise: { perMinute: 10_000, perHour: 100_000 },
            }),
            OIDC_ISSUER: "https://issuer.test/",
            OIDC_AUDIENCE: "hydra-test-client",
            OIDC_JWKS_URL: "https://issuer.test/.well-known/jwks.json",
          },
          // The LLM provider's egress goes to a local stand-in. LLM_BASE_URL stays unset, so runs
          // use the offline planner unless a test configures the provider for its own runs.
          // Integration steps (and their DNS-over-HTTPS look-ups) go to a local stand-in too, so a
          // test can never open a connection to anything but this process.
          serviceBindings: { LLM_API: "llm-provider-standin", INTEGRATION_API: "integration-target-standin", OIDC_API: "oidc-provider-standin" },
          workers: [
            {
              name: "oidc-provider-standin",
              modules: true,
              scriptPath: "./test/standins/oidc-provider.mjs",
              compatibilityDate: "2026-04-26",
            },
            {
              name: "llm-provider-standin",
              modules: true,
              scriptPath: "./test/standins/llm-provider.mjs",
              compatibilityDate: "2026-04-26",
              compatibilityFlags: ["enable_request_signal"],
            },
            {
              name: "integration-target-standin",
              modules: true,
              scriptPath: "./test/standins/integration-target.mjs",
              compatibilityDate: "2026-04-26",
              compatibilityFlags: ["enable_request_signal"],
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts", "client/test/**/*.test.ts"],
      // Runs driven step by step through real Durable Objects take a few seconds on a busy machine.
      testTimeout: 20_000,
    },
  };
});
