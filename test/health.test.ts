import { describe, expect, it } from "vitest";
import { api } from "./helpers/http";

describe("GET /health", () => {
  it("answers without auth", async () => {
    const res = await api("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });
});

describe("GET /health/live", () => {
  it("answers without touching dependencies", async () => {
    const res = await api("GET", "/health/live");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });
});
