import { describe, expect, it } from "vitest";
import { BOOKMARK_HEADER } from "../src/db/session";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { MCP_HEADERS, createDeployment } from "./helpers/deployments";
import { createWorkflow, manifestWithFirstStep } from "./helpers/workflows";

describe("D1 sessions", () => {
  it("return a bookmark on every response that touched D1, and a client carrying it reads its own writes", async () => {
    const user = await newUser();
    const created = await api("POST", "/v1/workflows", {
      token: user.token,
      body: { name: "Session Workflow", manifest: manifestWithFirstStep("First", "Session Workflow") },
    });
    expect(created.status).toBe(201);
    const bookmark = created.headers.get(BOOKMARK_HEADER);
    expect(bookmark).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/i);

    const read = await api("GET", `/v1/workflows/${created.body.data.workflowId}`, { token: user.token, headers: { [BOOKMARK_HEADER]: bookmark! } });
    expect(read.status).toBe(200);
    expect(read.body.data.manifest.steps[0].name).toBe("First");
    expect(read.headers.get(BOOKMARK_HEADER)).toBeTruthy();
  });

  it("are opened only by requests that query D1: a health check and a cached MCP read carry no bookmark", async () => {
    expect((await api("GET", "/health/live")).headers.get(BOOKMARK_HEADER)).toBeNull();

    const owner = await newUser();
    const { workflowId } = await createWorkflow(owner.token);
    const { deploymentId } = await createDeployment(owner.token, { workflowIds: [workflowId], allowAnonymous: true });
    const mcp = (method: string, params: Record<string, unknown> = {}) =>
      api("POST", `/mcp/${deploymentId}`, { headers: { ...MCP_HEADERS, "MCP-Protocol-Version": "2025-06-18" }, body: { jsonrpc: "2.0", id: 1, method, params } });
    // Anonymous prompts come from the deployment's record (KV, then the isolate's memory), not D1.
    for (const method of ["prompts/list", "prompts/list"]) {
      const res = await mcp(method);
      expect(res.status).toBe(200);
      expect(res.headers.get(BOOKMARK_HEADER)).toBeNull();
    }
    // A REST read queries D1 and answers with the session's bookmark.
    expect((await api("GET", `/v1/workflows/${workflowId}`, { token: owner.token })).headers.get(BOOKMARK_HEADER)).toBeTruthy();
  });

  it("ignore a malformed bookmark instead of failing the request", async () => {
    const user = await newUser();
    const { workflowId } = await createWorkflow(user.token);
    for (const bad of ["not a bookmark", "zzzz-yyyy", "x".repeat(500)]) {
      const res = await api("GET", `/v1/workflows/${workflowId}`, { token: user.token, headers: { [BOOKMARK_HEADER]: bad } });
      expect(res.status).toBe(200);
    }
  });

  it("read a workflow and its current manifest together, and 404 a private one to others", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { workflowId } = await createWorkflow(owner.token, { visibility: "private" });
    const put = await api("PUT", `/v1/workflows/${workflowId}`, { token: owner.token, body: { manifest: manifestWithFirstStep("Second") } });
    expect(put.status).toBe(200);
    const mine = await api("GET", `/v1/workflows/${workflowId}`, { token: owner.token });
    expect(mine.body.data.currentVersion).toBe("1.0.1");
    expect(mine.body.data.manifest.steps[0].name).toBe("Second");
    expect((await api("GET", `/v1/workflows/${workflowId}`, { token: other.token })).status).toBe(404);
  });
});
