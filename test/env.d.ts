// The test pool's bindings on top of wrangler.toml's (worker-configuration.d.ts): see vitest.config.ts.
declare namespace Cloudflare {
  interface Env {
    /** The local LLM provider stand-in (test/standins/llm-provider.mjs). */
    LLM_API: Fetcher;
    /** The local integration target stand-in (test/standins/integration-target.mjs). */
    INTEGRATION_API: Fetcher;
    /** The local OIDC provider stand-in (test/standins/oidc-provider.mjs). */
    OIDC_API: Fetcher;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    OIDC_ISSUER: string;
    OIDC_AUDIENCE: string;
    OIDC_JWKS_URL: string;
  }
}
declare module "*?raw" {
  const text: string;
  export default text;
}
