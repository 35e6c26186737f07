import { describe, expect, it } from "vitest";
import { MAX_BATCH, parseBody } from "../src/http/jsonrpc-framing";
import { mcpRules } from "../src/mcp/protocol";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, createWorkflow } from "./helpers/deployments";
import { api } from "./helpers/http";

const pings = (n: number, method: string) => Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i, method }));

describe("one JSON-RPC core for /rpc and /mcp", () => {
  it("refuses a batch one larger than MAX_BATCH on both endpoints, and answers one of MAX_BATCH", async () => {
    const u = await newUser();
    const wf = await createWorkflow(u.token);
    const d = await createDeployment(u.token, { workflowIds: [wf.workflowId] });
    // No MCP-Protocol-Version header: a 2025-03-26 client, whose revision takes batches.
    const mcp = (body: unknown) => api("POST", `/mcp/${d.deploymentId}`, { token: u.token, headers: MCP_HEADERS, body });
    const rpc = (body: unknown) => api("POST", "/rpc", { token: u.token, body });

    const rpcTooBig = await rpc(pings(MAX_BATCH + 1, "hydra.health"));
    expect(rpcTooBig.status).toBe(200);
    expect(rpcTooBig.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request", data: { reason: `A batch holds at most ${MAX_BATCH} requests` } } });
    const mcpTooBig = await mcp(pings(MAX_BATCH + 1, "ping"));
    expect(mcpTooBig.status).toBe(400);
    expect(mcpTooBig.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining(`A batch holds at most ${MAX_BATCH} requests`) } });

    const rpcFull = await rpc(pings(MAX_BATCH, "hydra.health"));
    expect(rpcFull.status).toBe(200);
    expect(rpcFull.body).toHaveLength(MAX_BATCH);
    const mcpFull = await mcp(pings(MAX_BATCH, "ping"));
    expect(mcpFull.status).toBe(200);
    expect(mcpFull.body).toHaveLength(MAX_BATCH);
    expect(mcpFull.body[MAX_BATCH - 1]).toEqual({ jsonrpc: "2.0", id: MAX_BATCH - 1, result: {} });
  });

  it("MCP's rules are options of the one framing: batches by revision, initialize alone, replies acknowledged, ids never null", () => {
    const legacy = mcpRules(undefined);
    expect(parseBody(pings(2, "ping"), legacy)).toMatchObject({ kind: "batch", messages: [{ kind: "request" }, { kind: "request" }] });
    expect(parseBody(pings(2, "ping"), mcpRules("2025-06-18"))).toMatchObject({ kind: "refused", reason: expect.stringContaining("removed in MCP 2025-06-18") });
    expect(parseBody(pings(2, "ping"), mcpRules("2026-07-28"))).toMatchObject({ kind: "refused" });
    expect(parseBody([...pings(1, "ping"), { jsonrpc: "2.0", id: 9, method: "initialize" }], legacy)).toMatchObject({
      kind: "refused",
      reason: "initialize must not be part of a JSON-RPC batch; send it on its own",
    });
    expect(parseBody({ jsonrpc: "2.0", id: 1, result: {} }, legacy)).toEqual({ kind: "single", message: { kind: "reply" } });
    expect(parseBody({ jsonrpc: "2.0", id: null, method: "ping" }, legacy)).toMatchObject({ kind: "single", message: { kind: "invalid", id: null } });
    expect(parseBody({ jsonrpc: "2.0", id: 1, method: "ping", params: [1] }, legacy)).toMatchObject({ kind: "single", message: { kind: "invalid", reason: '"params" must be an object' } });
    expect(parseBody({ jsonrpc: "2.0", method: "notifications/initialized" }, legacy)).toEqual({ kind: "single", message: { kind: "notification", method: "notifications/initialized" } });
  });

  it("/rpc keeps plain JSON-RPC 2.0: a null id is answered, a reply to nothing is an invalid request", async () => {
    const u = await newUser();
    const nullId = await api("POST", "/rpc", { token: u.token, body: { jsonrpc: "2.0", id: null, method: "hydra.status" } });
    expect(nullId.body).toEqual({ jsonrpc: "2.0", id: null, result: { runs: [] } });
    const reply = await api("POST", "/rpc", { token: u.token, body: { jsonrpc: "2.0", id: 3, result: {} } });
    expect(reply.body).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32600, message: "Invalid Request", data: { reason: '"method" must be a non-empty string' } } });
  });

});
