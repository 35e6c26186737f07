import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ERROR_STATUS } from "../src/errors";
import { newUser } from "./helpers/auth";
import { MCP_HEADERS, createDeployment, initializeBody } from "./helpers/deployments";
import { workflowBody } from "./helpers/fixtures";
import { fuzzBodies, weirdValues } from "./helpers/fuzz-bodies";
import { api, type ApiResponse } from "./helpers/http";
import { billingApp, stripeStandIn } from "./helpers/stripe";
import { createWorkflow } from "./helpers/workflows";

/**
 * Property-based fuzzing of every write route, /rpc and /mcp: odd JSON, wrong types, unicode
 * edge cases, huge strings and deep nesting never get a 5xx, always get the endpoint's
 * documented envelope, and a rejected request leaves the caller's rows exactly as they were.
 * Runs are kept small (RUNS per route) so the whole file stays well under a minute.
 */
const RUNS = 25;

interface Fixtures {
  token: string;
  userId: string;
  workflowId: string;
  publicWorkflowId: string;
  deploymentId: string;
  keyId: string;
}

interface FuzzRoute {
  path: (f: Fixtures) => string;
  valid: (f: Fixtures) => unknown;
  /** Billing routes run against the app with Stripe configured (a stand-in), else they are a constant 503. */
  billing?: boolean;
  runs?: number;
}

/** Every POST/PUT/PATCH/DELETE under /v1, keyed like createApp().routes; a new write route fails the coverage test until it is listed. */
const WRITE_ROUTES: Record<string, FuzzRoute> = {
  "PATCH /v1/users/me": { path: () => "/v1/users/me", valid: () => ({ displayName: "Fuzzy" }) },
  "POST /v1/api-keys": { path: () => "/v1/api-keys", valid: () => ({ name: "fuzz key" }) },
  "POST /v1/workflows": { path: () => "/v1/workflows", valid: () => workflowBody({ name: "Fuzzed" }) },
  "PUT /v1/workflows/:workflowId": { path: (f) => `/v1/workflows/${f.workflowId}`, valid: () => ({ ...workflowBody({ name: "Fuzzed" }), version: "9.0.0", changelog: "fuzz" }) },
  "POST /v1/workflows/:workflowId/fork": { path: (f) => `/v1/workflows/${f.publicWorkflowId}/fork`, valid: () => ({ name: "Forked" }) },
  "PUT /v1/workflows/:workflowId/rating": { path: (f) => `/v1/workflows/${f.publicWorkflowId}/rating`, valid: () => ({ rating: 4 }) },
  "POST /v1/library/:workflowId": { path: (f) => `/v1/library/${f.publicWorkflowId}`, valid: () => ({ autoUpdate: false }) },
  "PATCH /v1/library/:workflowId": { path: (f) => `/v1/library/${f.workflowId}`, valid: () => ({ autoUpdate: true, enabledAdapters: ["claude"] }) },
  "POST /v1/billing/checkout": { billing: true, path: () => "/v1/billing/checkout", valid: () => ({ priceId: "pro_monthly", successUrl: "https://hydra.test/ok", cancelUrl: "https://hydra.test/no" }) },
  "POST /v1/billing/portal": { billing: true, path: () => "/v1/billing/portal", valid: () => ({ returnUrl: "https://hydra.test/back" }) },
  "POST /v1/billing/webhook": { billing: true, path: () => "/v1/billing/webhook", valid: () => ({ id: "evt_1", type: "customer.subscription.updated", data: { object: {} } }) },
  "POST /v1/deployments": { path: () => "/v1/deployments", valid: (f) => ({ name: "Fuzz Deployment", workflowIds: [f.workflowId], enabledAdapters: ["claude", "cursor"], allowAnonymous: false }) },
  "PUT /v1/deployments/:deploymentId": { path: (f) => `/v1/deployments/${f.deploymentId}`, valid: (f) => ({ name: "Renamed", workflowIds: [f.workflowId] }) },
  "POST /v1/deployments/:deploymentId/adapters": { path: (f) => `/v1/deployments/${f.deploymentId}/adapters`, valid: () => ({ adapter: "cursor", enabled: true }) },
  "POST /v1/deployments/:deploymentId/activate": { path: (f) => `/v1/deployments/${f.deploymentId}/activate`, valid: () => ({}) },
  "POST /v1/deployments/:deploymentId/deactivate": { path: (f) => `/v1/deployments/${f.deploymentId}/deactivate`, valid: () => ({}) },
  // DELETE routes take no body; a body of any kind must not change that (a few runs each).
  "DELETE /v1/api-keys/:keyId": { path: (f) => `/v1/api-keys/${f.keyId}`, valid: () => ({}), runs: 5 },
  "DELETE /v1/workflows/:workflowId": { path: (f) => `/v1/workflows/${f.workflowId}`, valid: () => ({}), runs: 5 },
  "DELETE /v1/workflows/:workflowId/rating": { path: (f) => `/v1/workflows/${f.publicWorkflowId}/rating`, valid: () => ({}), runs: 5 },
  "DELETE /v1/library/:workflowId": { path: (f) => `/v1/library/${f.publicWorkflowId}`, valid: () => ({}), runs: 5 },
  "DELETE /v1/deployments/:deploymentId": { path: (f) => `/v1/deployments/${f.deploymentId}`, valid: () => ({}), runs: 5 },
  // Last: a success deletes the fixtures' owner.
  "DELETE /v1/users/me": { path: () => "/v1/users/me", valid: () => ({}), runs: 5 },
};

/** What Stripe answers when a fuzzed body happens to be valid, so billing routes never see an upstream failure. */
const STRIPE_REPLIES = {
  "POST /v1/customers": () => ({ body: { id: "cus_fuzz", object: "customer" } }),
  "POST /v1/checkout/sessions": () => ({ body: { id: "cs_fuzz", object: "checkout.session", url: "https://checkout.stripe.com/c/pay/cs_fuzz" } }),
  "POST /v1/billing_portal/sessions": () => ({ body: { id: "bps_fuzz", object: "billing_portal.session", url: "https://billing.stripe.com/p/session/fuzz" } }),
};

async function fixtures(): Promise<Fixtures> {
  const user = await newUser("fuzz");
  const author = await newUser("author");
  const wf = await createWorkflow(user.token, { name: "Mine" });
  const pub = await createWorkflow(author.token, { name: "Theirs", visibility: "public" });
  const dep = await createDeployment(user.token, { workflowIds: [wf.workflowId] });
  const key = await api("POST", "/v1/api-keys", { token: user.token, body: { name: "fixture" } });
  return { token: user.token, userId: user.sub, workflowId: wf.workflowId, publicWorkflowId: pub.workflowId, deploymentId: dep.deploymentId, keyId: key.body.data.id };
}

/** Everything of the caller's that a write could touch: counts, and update stamps of the rows themselves. */
async function snapshot(userId: string) {
  return env.DB.prepare(
    `SELECT
       (SELECT COUNT(*) FROM users WHERE id = ?1) AS users,
       (SELECT display_name || '|' || updated_at FROM users WHERE id = ?1) AS userRow,
       (SELECT COUNT(*) FROM api_keys WHERE user_id = ?1) AS apiKeys,
       (SELECT group_concat(id || '|' || updated_at || '|' || current_version) FROM workflows WHERE owner_id = ?1) AS workflowRows,
       (SELECT COUNT(*) FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id WHERE w.owner_id = ?1) AS versions,
       (SELECT group_concat(workflow_id || '|' || updated_at) FROM library_entries WHERE user_id = ?1) AS libraryRows,
       (SELECT group_concat(workflow_id || '|' || rating) FROM ratings WHERE user_id = ?1) AS ratingRows,
       (SELECT group_concat(id || '|' || updated_at || '|' || status) FROM deployments WHERE owner_id = ?1) AS deploymentRows,
       (SELECT COUNT(*) FROM deployment_workflows dw JOIN deployments d ON d.id = dw.deployment_id WHERE d.owner_id = ?1) AS deploymentWorkflows,
       (SELECT COUNT(*) FROM runs WHERE user_id = ?1) AS runs,
       (SELECT COALESCE(SUM(u.count), 0) FROM deployment_usage_daily u JOIN deployments d ON d.id = u.deployment_id WHERE d.owner_id = ?1) AS connections`,
  )
    .bind(userId)
    .first();
}

function expectRestEnvelope(res: ApiResponse, what: string) {
  expect(res.status, what).toBeLessThan(500);
  expect(res.body, what).toBeTypeOf("object");
  if (res.status >= 400) {
    expect(res.body.success, what).toBe(false);
    expect(Object.keys(ERROR_STATUS), what).toContain(res.body.error?.code);
    expect(ERROR_STATUS[res.body.error.code as keyof typeof ERROR_STATUS], what).toBe(res.status);
    expect(res.body.error.message, what).toBeTypeOf("string");
    expect(res.body.error.details, what).toBeTypeOf("object");
  } else {
    expect(res.body.success, what).toBe(true);
  }
}

/** One JSON-RPC response object (or a batch of them); never the REST envelope. */
function expectJsonRpc(res: ApiResponse, what: string, emptyStatus: number): { anyError: boolean; anyResult: boolean } {
  expect(res.status, what).toBeLessThan(500);
  if (res.status === emptyStatus) {
    expect(res.body, what).toBeNull();
    return { anyError: false, anyResult: false };
  }
  const messages = Array.isArray(res.body) ? res.body : [res.body];
  expect(messages.length, what).toBeGreaterThan(0);
  for (const m of messages) {
    expect(m, what).toBeTypeOf("object");
    expect(m.jsonrpc, what).toBe("2.0");
    expect(m.success, what).toBeUndefined();
    expect("id" in m, what).toBe(true);
    expect(("result" in m) !== ("error" in m), what).toBe(true);
    if ("error" in m) {
      expect(Number.isInteger(m.error.code), what).toBe(true);
      expect(m.error.message, what).toBeTypeOf("string");
    }
  }
  return { anyError: messages.some((m: any) => "error" in m), anyResult: messages.some((m: any) => "result" in m) };
}

const describeBody = (raw: string) => (raw.length > 300 ? `${raw.slice(0, 300)}… (${raw.length} chars)` : raw);

describe("reliability: fuzzed bodies", () => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await fixtures();
  });

  it("covers every write route the app registers", () => {
    const writes = [...new Set(createApp().routes.map((r) => `${r.method} ${r.path}`))].filter((k) => /^(POST|PUT|PATCH|DELETE) \/v1\//.test(k));
    expect(writes.filter((k) => !(k in WRITE_ROUTES)), "write routes without a fuzz entry").toEqual([]);
    expect(Object.keys(WRITE_ROUTES).filter((k) => !writes.includes(k)), "fuzz entries for routes that do not exist").toEqual([]);
  });

  for (const [key, route] of Object.entries(WRITE_ROUTES)) {
    it(`${key}: never a 5xx, always the envelope, nothing written when refused`, async () => {
      const method = key.split(" ")[0]!;
      const send = route.billing ? billingApp(stripeStandIn(STRIPE_REPLIES)) : api;
      await fc.assert(
        fc.asyncProperty(fuzzBodies(route.valid(f)), async (raw) => {
          const before = await snapshot(f.userId);
          const res = await send(method, route.path(f), { token: f.token, rawBody: raw });
          const what = `${key} ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} for ${describeBody(raw)}`;
          expectRestEnvelope(res, what);
          if (res.status >= 400) expect(await snapshot(f.userId), what).toEqual(before);
        }),
        { numRuns: route.runs ?? RUNS },
      );
    }, 60_000);
  }
});

describe("reliability: fuzzed JSON-RPC", () => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await fixtures();
  });

  const rpcMethod = fc.constantFrom("hydra.run", "hydra.status", "hydra.cancel", "hydra.kill", "hydra.approve", "hydra.resume", "hydra.health", "hydra.nope", "");
  const rpcRequest = fc.record(
    { jsonrpc: fc.oneof(fc.constant("2.0"), weirdValues), id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), weirdValues), method: fc.oneof(rpcMethod, weirdValues), params: fc.oneof(fc.dictionary(fc.constantFrom("intent", "run_id", "approval_id", "decision", "level", "workflowId", "limit", "x"), weirdValues), weirdValues) },
    { requiredKeys: ["jsonrpc", "method"] },
  );

  it("/rpc: never a 5xx, only JSON-RPC responses, no run row for a refused request", async () => {
    const bodies = fc.oneof(
      { weight: 4, arbitrary: rpcRequest.map((r) => JSON.stringify(r)) },
      { weight: 1, arbitrary: fc.array(rpcRequest, { minLength: 0, maxLength: 4 }).map((r) => JSON.stringify(r)) },
      { weight: 2, arbitrary: fuzzBodies({ jsonrpc: "2.0", id: 1, method: "hydra.status", params: { run_id: "nope" } }) },
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (raw) => {
        const before = await snapshot(f.userId);
        const res = await api("POST", "/rpc", { token: f.token, rawBody: raw });
        const what = `/rpc ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} for ${describeBody(raw)}`;
        const { anyResult } = expectJsonRpc(res, what, 204);
        if (!anyResult) expect((await snapshot(f.userId))?.runs, what).toBe(before?.runs);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  const mcpMethod = fc.constantFrom("initialize", "ping", "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list", "resources/read", "resources/templates/list", "notifications/initialized", "nope/nope");
  const mcpParams = fc.oneof(
    fc.record({ name: fc.oneof(fc.constantFrom("list_workflows", "get_workflow", "render_workflow", "workflow_mine", "mine"), weirdValues), arguments: fc.oneof(fc.dictionary(fc.constantFrom("workflow", "name", "adapter", "x"), weirdValues), weirdValues) }, { requiredKeys: [] }),
    fc.record({ uri: fc.oneof(fc.constantFrom("hydra://workflows/mine", "hydra://nope"), weirdValues) }, { requiredKeys: [] }),
    fc.record({ protocolVersion: fc.oneof(fc.constantFrom("2025-06-18", "2025-03-26"), weirdValues), clientInfo: weirdValues, capabilities: weirdValues }, { requiredKeys: [] }),
    weirdValues,
  );
  const mcpRequest = fc.record(
    { jsonrpc: fc.oneof(fc.constant("2.0"), weirdValues), id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), weirdValues), method: fc.oneof(mcpMethod, weirdValues), params: mcpParams },
    { requiredKeys: ["jsonrpc", "method"] },
  );

  it("/mcp/{id}: never a 5xx, only JSON-RPC responses, no connection counted for a refused request", async () => {
    const bodies = fc.oneof(
      { weight: 4, arbitrary: mcpRequest.map((r) => JSON.stringify(r)) },
      { weight: 1, arbitrary: fc.array(mcpRequest, { minLength: 0, maxLength: 4 }).map((r) => JSON.stringify(r)) },
      { weight: 2, arbitrary: fuzzBodies(initializeBody()) },
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (raw) => {
        const before = await snapshot(f.userId);
        const res = await api("POST", `/mcp/${f.deploymentId}`, { token: f.token, headers: MCP_HEADERS, rawBody: raw });
        const what = `/mcp ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} for ${describeBody(raw)}`;
        const { anyResult } = expectJsonRpc(res, what, 202);
        if (!anyResult) expect((await snapshot(f.userId))?.connections, what).toBe(before?.connections);
      }),
      { numRuns: 50 },
    );
  }, 60_000);
});
