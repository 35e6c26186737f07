import { env } from "cloudflare:test";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { jwksCacheKey } from "../src/auth/tokens";
import { uniqueUser } from "./helpers/auth";
import { api } from "./helpers/http";

const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

async function expectRefused(token: string, message: RegExp) {
  const res = await api("GET", "/v1/users/me", { token });
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(res.body.error).toMatchObject({ code: "UNAUTHORIZED" });
  expect(res.body.error.message).toMatch(message);
  expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
}

type Claims = { sub: string; iat?: number | null; exp?: number; extra?: Record<string, unknown> };

function withTimes(jwt: SignJWT, claims: Claims) {
  if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? now());
  return jwt.setSubject(claims.sub).setExpirationTime(claims.exp ?? now() + HOUR);
}

const devSigned = (claims: Claims) =>
  withTimes(new SignJWT({ email: `${claims.sub}@example.com`, ...claims.extra }).setProtectedHeader({ alg: "HS256" }).setIssuer(env.DEV_AUTH_ISSUER!), claims).sign(
    new TextEncoder().encode(env.DEV_AUTH_SECRET),
  );

async function oidcSigner() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "rel-key", alg: "RS256", use: "sig" };
  await env.KV.put(jwksCacheKey(env.OIDC_JWKS_URL), JSON.stringify({ jwks: { keys: [jwk] }, uat: Date.now() }));
  return (claims: Claims) =>
    withTimes(
      new SignJWT({ token_use: "id", ...claims.extra }).setProtectedHeader({ alg: "RS256", kid: "rel-key" }).setIssuer(env.OIDC_ISSUER).setAudience(env.OIDC_AUDIENCE),
      claims,
    ).sign(privateKey);
}

describe("token lifetime is capped by MAX_TOKEN_AGE_SECONDS (default 24 h) from iat", () => {
  for (const kind of ["dev", "oidc"] as const) {
    it(`${kind}: a fresh token works; one issued 25 h ago is refused even if exp is far away; no iat is refused`, async () => {
      const sign = kind === "dev" ? devSigned : await oidcSigner();
      const { sub } = uniqueUser(kind);
      expect((await api("GET", "/v1/users/me", { token: await sign({ sub }) })).status).toBe(200);
      expect((await api("GET", "/v1/users/me", { token: await sign({ sub, iat: now() - 23 * HOUR }) })).status).toBe(200);
      await expectRefused(await sign({ sub, iat: now() - 25 * HOUR, exp: now() + 30 * 24 * HOUR }), /maximum token age/);
      await expectRefused(await sign({ sub, iat: null }), /iat/);
    });
  }
});

describe("oversized credentials are refused before verification", () => {
  it("a token over MAX_TOKEN_BYTES (8 KB) is 401 naming the limit, a large-but-allowed one works", async () => {
    const { sub } = uniqueUser("big");
    const fits = await devSigned({ sub, extra: { groups: "g".repeat(4000) } });
    expect(fits.length).toBeLessThan(8192);
    expect((await api("GET", "/v1/users/me", { token: fits })).status).toBe(200);
    const huge = await devSigned({ sub, extra: { groups: "g".repeat(9000) } });
    await expectRefused(huge, /larger than 8192 bytes/);
    // Unsigned junk of the same size: refused by size, never parsed.
    await expectRefused(`${"a".repeat(9000)}.b.c`, /larger than 8192 bytes/);
    await expectRefused(`hk_${"a".repeat(9000)}`, /larger than 8192 bytes/);
  });
});
