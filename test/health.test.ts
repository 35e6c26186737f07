import { describe, expect, it } from "vitest";
import { api } from "./helpers/http";

describe("GET /health", () => {
  it("answers without auth", async () => {
    const res = await api("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });
});
