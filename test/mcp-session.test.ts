import { describe, expect, it } from "vitest";
import { configSchema } from "../src/env";
import { signSession, verifySession } from "../src/mcp/session";

const secretA = "a".repeat(40);
const secretB = "b".repeat(40);
const config = (vars: Record<string, string>) => configSchema.parse({ ENVIRONMENT: "test", ...vars });

describe("signed Mcp-Session-Id", () => {
  it("verifies across isolates and after a redeploy with the same secret", async () => {
    const id = await signSession(config({ MCP_SESSION_SECRET: secretA }), { adapter: "codex", deploymentId: "dep_abc" }, new Date(0));
    expect(id).toMatch(/^mcp1\.codex\.dep_abc\.0\.[A-Za-z0-9_-]{43}$/);
    expect(await verifySession(config({ MCP_SESSION_SECRET: secretA }), id, "dep_abc")).toEqual({ adapter: "codex", deploymentId: "dep_abc" });
  });

  it("keeps sessions valid through a secret rotation via MCP_SESSION_SECRET_PREVIOUS", async () => {
    const id = await signSession(config({ MCP_SESSION_SECRET: secretA }), { adapter: "cursor", deploymentId: "dep_abc" }, new Date());
    expect(await verifySession(config({ MCP_SESSION_SECRET: secretB, MCP_SESSION_SECRET_PREVIOUS: secretA }), id, "dep_abc")).not.toBeNull();
    expect(await verifySession(config({ MCP_SESSION_SECRET: secretB }), id, "dep_abc")).toBeNull();
  });

  it("rejects other deployments, tampering and junk", async () => {
    const cfg = config({ MCP_SESSION_SECRET: secretA });
    const id = await signSession(cfg, { adapter: "claude", deploymentId: "dep_abc" }, new Date());
    expect(await verifySession(cfg, id, "dep_other")).toBeNull();
    expect(await verifySession(cfg, id.replace("claude", "codex"), "dep_abc")).toBeNull();
    const signatureStart = id.lastIndexOf(".") + 1;
    const flipped = id[signatureStart] === "A" ? "B" : "A";
    expect(await verifySession(cfg, `${id.slice(0, signatureStart)}${flipped}${id.slice(signatureStart + 1)}`, "dep_abc")).toBeNull();
    for (const junk of ["", "mcp1", "mcp1.claude.dep_abc.0.!!", "x.y.z.w.v"]) expect(await verifySession(cfg, junk, "dep_abc")).toBeNull();
  });
});

describe("verified session ids (per-isolate memo)", () => {
  it("a session verified once is never accepted for another deployment or under other secrets", async () => {
    const cfgA = config({ MCP_SESSION_SECRET: secretA });
    const id = await signSession(cfgA, { adapter: "cursor", deploymentId: "dep_memo" }, new Date());
    expect(await verifySession(cfgA, id, "dep_memo")).toEqual({ adapter: "cursor", deploymentId: "dep_memo" });
    expect(await verifySession(cfgA, id, "dep_memo")).toEqual({ adapter: "cursor", deploymentId: "dep_memo" });
    expect(await verifySession(cfgA, id, "dep_other")).toBeNull();
    // After a rotation that dropped secret A, the remembered id is refused like any other.
    expect(await verifySession(config({ MCP_SESSION_SECRET: secretB }), id, "dep_memo")).toBeNull();
    expect(await verifySession(cfgA, id, "dep_memo")).not.toBeNull();
  });
});
