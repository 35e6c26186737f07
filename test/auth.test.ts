import { env } from "cloudflare:test";
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { jwksCacheKey } from "../src/auth/tokens";
import { devToken, uniqueUser } from "./helpers/auth";
import { api, readResponse, request } from "./helpers/http";

const ISSUER = env.OIDC_ISSUER;
const AUDIENCE = env.OIDC_AUDIENCE;

/** An identity provider whose JWKS is seeded into the KV cache the Worker reads (no network). */
async function identityProvider() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  await env.KV.put(jwksCacheKey(env.OIDC_JWKS_URL), JSON.stringify({ jwks: { keys: [jwk] }, uat: Date.now() }));
  const sign = (claims: { sub?: string; email?: string; iss?: string; aud?: string; exp?: string | number; nbf?: string | number }) => {
    const jwt = new SignJWT({ email: claims.email, token_use: "id" })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? "1h");
    if (claims.sub) jwt.setSubject(claims.sub);
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
    return jwt.sign(privateKey);
  };
  return { sign, jwk };
}

async function expectUnauthorized(token: string, message?: RegExp) {
  const res = await api("GET", "/v1/users/me", { token });
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject({ success: false, error: { code: "UNAUTHORIZED" } });
  expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  if (message) expect(res.body.error.message).toMatch(message);
}

describe("OIDC ID tokens (RS256 via JWKS)", () => {
  it("accepts a valid token and creates the user on first request", async () => {
    const idp = await identityProvider();
    const { sub, email } = uniqueUser("oidc");
    const res = await api("GET", "/v1/users/me", { token: await idp.sign({ sub, email }) });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ userId: sub, email, plan: "free", workflowCount: 0 });
  });

  it("rejects expired, not-yet-valid, wrong issuer and wrong audience tokens", async () => {
    const idp = await identityProvider();
    const { sub } = uniqueUser("oidc");
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(await idp.sign({ sub, exp: now - 120 }), /expired/);
    await expectUnauthorized(await idp.sign({ sub, nbf: now + 3600, exp: now + 7200 }), /not yet valid/);
    await expectUnauthorized(await idp.sign({ sub, iss: "https://evil.example/" }), /iss/);
    await expectUnauthorized(await idp.sign({ sub, aud: "someone-else" }), /aud/);
  });

  it("rejects a token signed by an unknown key", async () => {
    await identityProvider();
    const other = await generateKeyPair("RS256");
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setSubject("mallory")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("1h")
      .sign(other.privateKey);
    await expectUnauthorized(forged, /signature/);
  });

  it("rejects HS/RS confusion: HS256 signed with the public key material", async () => {
    const idp = await identityProvider();
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "test-key" })
      .setSubject("mallory")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(JSON.stringify(idp.jwk)));
    await expectUnauthorized(confused);
  });

  it("rejects alg none and malformed tokens", async () => {
    const unsecured = new UnsecuredJWT({ sub: "mallory" }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("1h").encode();
    await expectUnauthorized(unsecured, /algorithm/);
    await expectUnauthorized("not-a-jwt", /malformed/);
    await expectUnauthorized("a.b.c", /malformed/);
  });

  it("rejects tokens without sub", async () => {
    const idp = await identityProvider();
    await expectUnauthorized(await idp.sign({}));
  });
});

describe("dev tokens (HS256 with the local secret)", () => {
  it("are accepted outside production", async () => {
    const { sub } = uniqueUser();
    const res = await api("GET", "/v1/users/me", { token: await devToken(sub) });
    expect(res.status).toBe(200);
    expect(res.body.data.userId).toBe(sub);
  });

  it("signed with another secret, or expired, are rejected", async () => {
    const { sub } = uniqueUser();
    await expectUnauthorized(await devToken(sub, { secret: "x".repeat(40) }), /signature/);
    await expectUnauthorized(await devToken(sub, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/);
    await expectUnauthorized(await devToken(sub, { issuer: "someone" }), /iss/);
  });

  it("are refused when the environment says production", async () => {
    const app = createApp();
    const token = await devToken(uniqueUser().sub);
    // Production with the dev secret still set: the Worker refuses to serve the request path.
    const misconfigured = await readResponse(
      await app.fetch(request("GET", "/v1/users/me", { token }), { ...env, ENVIRONMENT: "production" }),
    );
    expect(misconfigured.status).toBe(500);
    expect(misconfigured.body.error).toMatchObject({ code: "INTERNAL_ERROR", message: "The server is misconfigured" });
    expect(JSON.stringify(misconfigured.body)).not.toMatch(/DEV_AUTH_SECRET/);

    // Production without the secret: HS256 tokens are simply not accepted.
    const prod = await readResponse(
      await app.fetch(request("GET", "/v1/users/me", { token }), { ...env, ENVIRONMENT: "production", DEV_AUTH_SECRET: "" }),
    );
    expect(prod.status).toBe(401);
    expect(prod.body.error.code).toBe("UNAUTHORIZED");
  });
});

describe("Authorization header", () => {
  it("missing or not Bearer gives 401 with a challenge", async () => {
    const missing = await api("GET", "/v1/workflows");
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("UNAUTHORIZED");
    expect(missing.headers.get("WWW-Authenticate")).toBe("Bearer");

    const basic = await api("GET", "/v1/workflows", { headers: { Authorization: "Basic Zm9vOmJhcg==" } });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toMatch(/Bearer/);
  });
});
