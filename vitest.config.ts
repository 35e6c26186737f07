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
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
    },
  };
});
