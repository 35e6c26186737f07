import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwksCache,
  jwtVerify,
  type ExportedJWKSCache,
  type JWTPayload,
} from "jose";
import { derivedOnce, type Config } from "../env";
import { ApiError } from "../errors";
import type { VerifiedIdentity } from "./types";

const OIDC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"];
const JWKS_CACHE_TTL_SECONDS = 3600;

export const jwksCacheKey = (url: string) => `jwks:${url}`;

/** `iat` is required: the maximum token age counts from it, and a deleted account refuses tokens issued before its deletion. */
const REQUIRED_CLAIMS = ["sub", "exp", "iat"];

const unauthorized = (message: string) => new ApiError("UNAUTHORIZED", message);

function describeJoseError(err: unknown, config: Config): string {
  if (err instanceof joseErrors.JWTExpired) {
    return err.claim === "iat" ? `Token is older than the maximum token age (${config.MAX_TOKEN_AGE_SECONDS} s)` : "Token has expired";
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "Token is not yet valid";
    return `Token claim '${err.claim}' is invalid`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "Token algorithm is not allowed";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "Token signature is invalid";
  if (err instanceof joseErrors.JWKSNoMatchingKey) return "Token was signed by an unknown key";
  return "Token is malformed or invalid";
}

function identityFrom(payload: JWTPayload): VerifiedIdentity {
  if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 200) {
    throw unauthorized("Token has no usable 'sub' claim");
  }
  const email = typeof payload.email === "string" ? payload.email : null;
  return { sub: payload.sub, email, issuedAt: payload.iat! };
}

/**
 * The imported HMAC key of a config's DEV_AUTH_SECRET, weakly keyed by the (immutable, per-env)
 * parsed config like `parseConfig` itself, rather than imported again for every token.
 */
const devKey = derivedOnce((config: Config) =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(config.DEV_AUTH_SECRET!), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
);

async function verifyDevToken(token: string, config: Config): Promise<JWTPayload> {
  if (!config.DEV_AUTH_SECRET || config.ENVIRONMENT === "production") {
    throw unauthorized("Token algorithm is not allowed");
  }
  const { payload } = await jwtVerify(token, await devKey(config), {
    algorithms: ["HS256"],
    issuer: config.DEV_AUTH_ISSUER,
    requiredClaims: REQUIRED_CLAIMS,
    maxTokenAge: config.MAX_TOKEN_AGE_SECONDS,
  });
  return payload;
}

/**
 * OIDC ID tokens (Cognito style). The JWKS is cached in KV rather than in module state,
 * so every isolate at every location shares one fetch per hour.
 */
async function verifyOidcToken(token: string, config: Config, kv: KVNamespace): Promise<JWTPayload> {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, OIDC_JWKS_URL: jwksUrl } = config;
  if (!issuer || !audience || !jwksUrl) throw unauthorized("Token issuer is not configured");

  const cached = await kv.get<ExportedJWKSCache>(jwksCacheKey(jwksUrl), "json");
  const cache: ExportedJWKSCache | Record<string, never> = cached ?? {};
  const keySet = createRemoteJWKSet(new URL(jwksUrl), {
    [jwksCache]: cache,
    cacheMaxAge: JWKS_CACHE_TTL_SECONDS * 1000,
    timeoutDuration: 5000,
  });
  const { payload } = await jwtVerify(token, keySet, {
    algorithms: OIDC_ALGORITHMS,
    issuer,
    audience,
    requiredClaims: REQUIRED_CLAIMS,
    maxTokenAge: config.MAX_TOKEN_AGE_SECONDS,
  });
  if ("uat" in cache && cache.uat !== cached?.uat) {
    await kv.put(jwksCacheKey(jwksUrl), JSON.stringify(cache), { expirationTtl: JWKS_CACHE_TTL_SECONDS * 2 });
  }
  return payload;
}

export async function verifyBearerToken(token: string, config: Config, kv: KVNamespace): Promise<VerifiedIdentity> {
  // Before any decoding: an oversized token costs nothing but this comparison.
  if (token.length > config.MAX_TOKEN_BYTES) throw unauthorized(`Token is larger than ${config.MAX_TOKEN_BYTES} bytes`);
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized("Token is malformed");
  }
  if (!alg || alg === "none") throw unauthorized("Token algorithm is not allowed");
  try {
    const payload =
      alg === "HS256" ? await verifyDevToken(token, config) : await verifyOidcToken(token, config, kv);
    return identityFrom(payload);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw unauthorized(describeJoseError(err, config));
  }
}
