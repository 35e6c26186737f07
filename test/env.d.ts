declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    KV: KVNamespace;
    OAUTH_KV: KVNamespace;
    RUN_OBJECT: DurableObjectNamespace;
    USER_HUB: DurableObjectNamespace;
    RATE_LIMITER: DurableObjectNamespace;
    /** The local LLM provider stand-in (test/standins/llm-provider.mjs). */
    LLM_API: Fetcher;
    /** The local integration target stand-in (test/standins/integration-target.mjs). */
    INTEGRATION_API: Fetcher;
    /** The local OIDC provider stand-in (test/standins/oidc-provider.mjs). */
    OIDC_API: Fetcher;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    DEV_AUTH_SECRET: string;
    DEV_AUTH_ISSUER: string;
    OIDC_ISSUER: string;
    OIDC_AUDIENCE: string;
    OIDC_JWKS_URL: string;
    [key: string]: unknown;
  }
}

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index");
  }
}
