import { z } from "zod";
import type { Database } from "./db/client";
import type { Clock, IdGenerator } from "./services";
import type { AuthenticatedUser } from "./auth/types";
import type { Logger } from "./log";

/**
 * Bindings: the resources of wrangler.toml, typed by `wrangler types` (worker-configuration.d.ts,
 * regenerate with `npm run types`; Durable Object namespaces carry their classes), plus the
 * optional egress bindings. String variables are read through `configSchema` below, never directly.
 */
export interface Bindings extends Pick<CloudflareBindings, "DB" | "KV" | "RUN_OBJECT" | "USER_HUB" | "RATE_LIMITER" | "OAUTH_KV"> {
  /**
   * Optional service binding that carries Stripe API requests (an egress proxy, or the tests'
   * local stand-in). Without it the Stripe SDK uses the global fetch.
   */
  STRIPE_API?: Fetcher;
  /**
   * Optional service binding that carries the LLM provider's requests (an egress proxy, or the
   * tests' local stand-in). Without it the provider is called with the global fetch.
   */
  LLM_API?: Fetcher;
  /**
   * Optional service binding that carries integration steps' requests and their DNS-over-HTTPS
   * look-ups (an egress proxy, or the tests' local stand-in). Without it the global fetch does.
   */
  INTEGRATION_API?: Fetcher;
  /**
   * Optional service binding that carries the hosted login's token request (an egress proxy, or
   * the tests' local stand-in). Without it the global fetch is used.
   */
  OIDC_API?: Fetcher;
}

const planLimitOverride = z.object({
  perMinute: z.number().int().positive(),
  perHour: z.number().int().positive(),
});

const jsonString = <T extends z.ZodType>(schema: T) =>
  z.string().transform((raw, ctx) => {
    try {
      return schema.parse(JSON.parse(raw)) as z.infer<T>;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be valid JSON of the expected shape" });
      return z.NEVER;
    }
  });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

/** `https://app.example.com/` and `https://app.example.com` name the same origin. */
function originOf(raw: string): string | null {
  try {
    return new URL(raw.trim()).origin;
  } catch {
    return null;
  }
}

/** Plain-string configuration, validated once per env object (see `parseConfig`). */
export const configSchema = z
  .object({
    ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
    DEV_AUTH_SECRET: optionalString,
    DEV_AUTH_ISSUER: z.string().default("hydra-dev"),
    OIDC_ISSUER: optionalString,
    OIDC_AUDIENCE: optionalString,
    OIDC_JWKS_URL: optionalString,
    PUBLIC_BASE_URL: optionalString,
    /** How long a dashboard session lasts (fixed from sign-in, not sliding). */
    SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(7 * 86_400),
    UPGRADE_URL: optionalString,
    /** Comma-separated browser origins allowed to call /v1; unset means any origin. */
    CORS_ORIGINS: optionalString.transform((v) => v?.split(",").map((o) => o.trim()).filter(Boolean)),
    RATE_LIMITS: jsonString(z.record(z.string(), planLimitOverride)).optional(),
    /** HMAC key for Mcp-Session-Id; must stay stable across deploys. _PREVIOUS is still accepted (rotation). */
    MCP_SESSION_SECRET: optionalString,
    MCP_SESSION_SECRET_PREVIOUS: optionalString,
    /** Comma-separated extra browser origins allowed on /mcp, besides PUBLIC_BASE_URL's (docs/deployments-mcp.md). */
    MCP_ALLOWED_ORIGINS: optionalString,
    /**
     * OAuth sign-in for IDEs (docs/deployments-mcp.md). With OIDC_AUTHORIZE_URL set, the
     * authorization page sends the user to that provider's hosted login (authorization code +
     * PKCE, client OIDC_CLIENT_ID, optional OIDC_CLIENT_SECRET) and verifies the returned ID token
     * like any OIDC token (OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL); unset, the page asks for a
     * token or API key. The dashboard's "Sign in" uses the same provider (docs/dashboard.md).
     */
    OIDC_AUTHORIZE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    OIDC_TOKEN_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_SCOPES: z.string().default("openid email"),
    /** Lifetimes of OAuth access and refresh tokens issued to IDEs, in seconds. */
    OAUTH_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(3600),
    OAUTH_REFRESH_TOKEN_TTL: z.coerce.number().int().min(3600).max(31_536_000).default(30 * 86_400),
    /** Comma-separated extra Host names (optionally `name:port`) served on /mcp, besides PUBLIC_BASE_URL's. */
    MCP_ALLOWED_HOSTS: optionalString,
    MAX_BODY_BYTES: z.coerce.number().int().positive().default(256 * 1024),
    /** Tokens (dev and OIDC) are refused once their `iat` is older than this, whatever their `exp`. */
    MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
    /** A bearer credential longer than this is refused before it is decoded or verified. */
    MAX_TOKEN_BYTES: z.coerce.number().int().positive().default(8 * 1024),
    /** Comma-separated workflow ids an operator features in the marketplace (besides the `featured` column). */
    FEATURED_WORKFLOW_IDS: z
      .string()
      .optional()
      .transform((v) => (v ?? "").split(",").map((id) => id.trim()).filter((id) => id.length > 0)),
    // Billing: all optional; without the secret key checkout/portal answer 503 BILLING_NOT_CONFIGURED.
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    STRIPE_PRICE_PRO_MONTHLY: optionalString,
    STRIPE_PRICE_PRO_ANNUAL: optionalString,
    STRIPE_PRICE_TEAM_MONTHLY: optionalString,
    STRIPE_PRICE_TEAM_ANNUAL: optionalString,
    /** Comma-separated origins that checkout/portal redirect URLs must belong to (unset: any). */
    BILLING_ALLOWED_ORIGINS: optionalString.pipe(
      z
        .string()
        .optional()
        .transform((raw) => raw?.split(",").map(originOf).filter((o): o is string => o !== null)),
    ),
    /** Points the Stripe SDK at another host (tests' local stand-in), e.g. `http://localhost:12111`. */
    STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
    // Agent runtime (docs/runtime.md). The LLM provider is optional: without it an offline planner runs.
    LLM_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    LLM_MODEL: optionalString,
    LLM_API_KEY: optionalString,
    /** Per provider call; a call that takes longer falls back like a provider error. */
    LLM_TIMEOUT_MS: z.coerce.number().int().min(10).max(300_000).default(30_000),
    /** DNS-over-HTTPS JSON endpoint (e.g. https://cloudflare-dns.com/dns-query): integration hosts are resolved and refused when private. */
    INTEGRATION_DOH_URL: optionalString.pipe(z.url({ protocol: /^https$/ }).optional()),
    RUNTIME_STEP_DELAY_MS: z.coerce.number().int().min(0).max(86_400_000).default(20),
    APPROVAL_TTL_SECONDS: z.coerce.number().int().positive().max(86_400).default(300),
    /** How long a claimed action stays leased to its workstation without a heartbeat or report. */
    ACTION_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(30_000),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.ENVIRONMENT === "production" && cfg.DEV_AUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["DEV_AUTH_SECRET"],
        message: "DEV_AUTH_SECRET must not be set in production",
      });
    }
    for (const key of ["MCP_SESSION_SECRET", "MCP_SESSION_SECRET_PREVIOUS"] as const) {
      const value = cfg[key];
      if (value && value.length < 32) ctx.addIssue({ code: "custom", path: [key], message: "must be at least 32 characters" });
    }
    if (cfg.OIDC_AUTHORIZE_URL && (!cfg.OIDC_TOKEN_URL || !cfg.OIDC_CLIENT_ID)) {
      ctx.addIssue({ code: "custom", path: ["OIDC_AUTHORIZE_URL"], message: "needs OIDC_TOKEN_URL and OIDC_CLIENT_ID too" });
    }
    if (cfg.DEV_AUTH_SECRET && cfg.DEV_AUTH_SECRET.length < 32) {
      ctx.addIssue({ code: "custom", path: ["DEV_AUTH_SECRET"], message: "must be at least 32 characters" });
    }
  });

export type Config = z.infer<typeof configSchema>;

/**
 * What `derive` makes of an object, computed once per object and held weakly by it. For the
 * immutable env the runtime hands every request of an isolate, and the config parsed from it:
 * nothing outlives them, and two envs (tests pass their own) never mix.
 */
export function derivedOnce<K extends object, V>(derive: (key: K) => V): (key: K) => V {
  const values = new WeakMap<K, V>();
  return (key) => {
    if (values.has(key)) return values.get(key)!;
    const value = derive(key);
    values.set(key, value);
    return value;
  };
}

/**
 * Stores `key → value` as the newest entry of a per-isolate memo, then drops the oldest entries
 * while there are more than `bound`. Besides `derivedOnce`, the only module state the Worker
 * allows: a bounded per-isolate cache of immutable data that is the same for every caller, so no
 * request changes what another sees and memory stays capped whatever the traffic.
 */
export function rememberBounded<K, V>(memo: Map<K, V>, key: K, value: V, bound: number): void {
  memo.delete(key);
  memo.set(key, value);
  while (memo.size > bound) memo.delete(memo.keys().next().value!);
}

/** The parsed config of an env object. Measured: the parse was ~12% of a bare route's CPU. */
export const parseConfig: (env: object) => ReturnType<typeof configSchema.safeParse> = derivedOnce((env: object) => configSchema.safeParse(env));

export interface Variables {
  requestId: string;
  /** JSON-line logger that carries the request id. */
  log: Logger;
  config: Config;
  /** Opened on first use: read it with `dbOf(c)` (src/db/session.ts), never directly. */
  db: Database | undefined;
  /** The D1 session under `db`; its bookmark goes back to the client (x-d1-bookmark). */
  dbSession: D1DatabaseSession | undefined;
  clock: Clock;
  ids: IdGenerator;
  /** Set by the auth middleware on /v1 routes once credentials are verified. */
  user: AuthenticatedUser;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

