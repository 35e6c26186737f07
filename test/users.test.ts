import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { createWorkflow } from "./helpers/workflows";

describe("GET /v1/users/me", () => {
  it("is created on first request and counts what the user has", async () => {
    const user = await newUser();
    const first = await api("GET", "/v1/users/me", { token: user.token });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      userId: user.sub,
      email: user.email,
      displayName: null,
      plan: "free",
      workflowCount: 0,
      deploymentCount: 0,
      subscriptionCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    await createWorkflow(user.token);
    const owner = await newUser("owner");
    const shared = await createWorkflow(owner.token, { visibility: "public" });
    await api("POST", `/v1/library/${shared.workflowId}`, { token: user.token });
    const after = await api("GET", "/v1/users/me", { token: user.token });
    expect(after.body.data).toMatchObject({ workflowCount: 1, subscriptionCount: 1, deploymentCount: 0 });
    expect(after.body.data.createdAt).toBe(first.body.data.createdAt);
  });
});

describe("PATCH /v1/users/me", () => {
  it("sets the display name the marketplace shows, and clears it with null", async () => {
    const user = await newUser();
    const category = `cat-${crypto.randomUUID().slice(0, 8)}`;
    await createWorkflow(user.token, { visibility: "public", category });
    const named = await api("PATCH", "/v1/users/me", { token: user.token, body: { displayName: "  Ada  " } });
    expect(named.status).toBe(200);
    expect(named.body.data.displayName).toBe("Ada");
    const listed = await api("GET", `/v1/marketplace?category=${category}`, { token: user.token });
    expect(listed.body.data[0].ownerName).toBe("Ada");

    const cleared = await api("PATCH", "/v1/users/me", { token: user.token, body: { displayName: null } });
    expect(cleared.body.data.displayName).toBeNull();
  });

  it("validates the body", async () => {
    const user = await newUser();
    for (const body of [{}, { displayName: "" }, { displayName: "x".repeat(101) }]) {
      const res = await api("PATCH", "/v1/users/me", { token: user.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe("displayName");
    }
  });
});
