import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";

describe("API keys", () => {
  it("are shown once, listed without the secret, accepted as Bearer, and revoked at once", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/api-keys", { token: user.token, body: { name: "laptop" } });
    expect(created.status).toBe(201);
    const key = created.body.data;
    expect(key).toMatchObject({ name: "laptop" });
    expect(key.id).toMatch(/^key_/);
    expect(key.key).toMatch(/^hk_[A-Za-z0-9]{40}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(Date.parse(key.createdAt)).not.toBeNaN();

    const stored = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE id = ?").bind(key.id).first<{ key_hash: string }>();
    expect(stored?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.key_hash).not.toContain(key.key);

    const me = await api("GET", "/v1/users/me", { token: key.key });
    expect(me.status).toBe(200);
    expect(me.body.data.userId).toBe(user.sub);

    const listed = await api("GET", "/v1/api-keys", { token: user.token });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toEqual({
      id: key.id,
      name: "laptop",
      prefix: key.prefix,
      createdAt: key.createdAt,
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain(key.key);

    const revoked = await api("DELETE", `/v1/api-keys/${key.id}`, { token: user.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toEqual({ id: key.id, revoked: true });

    const after = await api("GET", "/v1/users/me", { token: key.key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHORIZED");
  });

  it("are accepted on the runtime's /rpc like a token, and fail there at once when revoked", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/api-keys", { token: user.token, body: { name: "agent" } });
    const key = created.body.data.key as string;
    const call = { jsonrpc: "2.0", id: 1, method: "no.such.method" };

    const accepted = await api("POST", "/rpc", { token: key, body: call });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32601 } });

    await api("DELETE", `/v1/api-keys/${created.body.data.id}`, { token: user.token });
    const refused = await api("POST", "/rpc", { token: key, body: call });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ success: false, error: { code: "UNAUTHORIZED", details: {} } });
    expect(refused.headers.get("WWW-Authenticate")).toBe("Bearer");
  });

  it("cannot be revoked or seen by another user", async () => {
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const created = await api("POST", "/v1/api-keys", { token: alice.token, body: { name: "ci" } });
    const keyId = created.body.data.id;

    const bobDelete = await api("DELETE", `/v1/api-keys/${keyId}`, { token: bob.token });
    expect(bobDelete.status).toBe(404);
    expect(bobDelete.body.error.code).toBe("NOT_FOUND");
    const bobList = await api("GET", "/v1/api-keys", { token: bob.token });
    expect(bobList.body.data).toEqual([]);

    const stillWorks = await api("GET", "/v1/users/me", { token: created.body.data.key });
    expect(stillWorks.status).toBe(200);
  });

  it("validates the name and rejects unknown keys", async () => {
    const user = await newUser();
    const bad = await api("POST", "/v1/api-keys", { token: user.token, body: { name: "" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("name");

    const unknown = await api("GET", "/v1/users/me", { token: "hk_" + "x".repeat(40) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toMatch(/API key/);
  });
});
