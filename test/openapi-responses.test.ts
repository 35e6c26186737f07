import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { workflowBody } from "./helpers/fixtures";
import type { ApiResponse } from "./helpers/http";
import { billingApp, signedWebhook, stripeEvent, stripeStandIn } from "./helpers/stripe";

const METHODS = ["get", "post", "put", "patch", "delete"];

/**
 * Every documented REST operation is called for real, and each answer (successes and the errors
 * met on the way) must match the schema the document gives for its status. Objects are checked
 * closed (no undocumented fields), so a DTO that grows a field without its schema fails here.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if (out.type === "object" && out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

function operationOf(doc: any, method: string, path: string): { template: string; op: any } {
  const pathname = new URL(path, "https://hydra.test").pathname.replace(/\/+$/, "");
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(pathname) && item[method.toLowerCase()]) return { template, op: item[method.toLowerCase()] };
  }
  throw new Error(`${method} ${path} is not documented`);
}

function responseSchema(doc: any, op: any, status: number, where: string) {
  let response = op.responses[String(status)];
  expect(response, `${where}: status ${status} is not documented`).toBeDefined();
  if (response.$ref) response = doc.components.responses[response.$ref.split("/").pop()];
  const schema = response.content?.["application/json"]?.schema;
  expect(schema, `${where}: no JSON schema for ${status}`).toBeDefined();
  return schema;
}

describe("documented response schemas", () => {
  it("match what every REST route really answers", async () => {
    const standIn = stripeStandIn({
      "POST /v1/customers": () => ({ body: { id: "cus_schema_1", object: "customer" } }),
      "POST /v1/checkout/sessions": () => ({ body: { id: "cs_1", object: "checkout.session", url: "https://checkout.stripe.com/c/pay/cs_1" } }),
      "POST /v1/billing_portal/sessions": () => ({ body: { id: "bps_1", object: "billing_portal.session", url: "https://billing.stripe.com/p/1" } }),
    });
    const call = billingApp(standIn);
    const doc = (await call("GET", "/openapi.json")).body;
    const components = closed(doc.components);
    const checked = new Set<string>();

    async function expectDocumented(method: string, path: string, opts: Parameters<typeof call>[2] = {}, status?: number): Promise<ApiResponse> {
      const res = await call(method, path, opts);
      const where = `${method} ${path}`;
      if (status !== undefined) expect(res.status, `${where}: ${JSON.stringify(res.body)}`).toBe(status);
      const { template, op } = operationOf(doc, method, path);
      const schema = responseSchema(doc, op, res.status, where);
      const result = new Validator({ ...(closed(schema) as object), components }, "2020-12", false).validate(res.body);
      expect(result.errors.filter((e) => e.keyword !== "$ref" && e.keyword !== "properties" && e.keyword !== "items"), `${where} ${res.status}`).toEqual([]);
      expect(result.valid, `${where} ${res.status}: ${JSON.stringify(result.errors)}`).toBe(true);
      checked.add(`${method.toUpperCase()} ${template}`);
      return res;
    }

    const owner = await newUser("schema-owner");
    const fan = await newUser("schema-fan");
    const t = { token: owner.token };

    await expectDocumented("GET", "/health");
    await expectDocumented("GET", "/health/live", {}, 200);
    await expectDocumented("GET", "/v1/users/me", t, 200);
    await expectDocumented("PATCH", "/v1/users/me", { ...t, body: { displayName: "Schema Owner" } }, 200);
    await expectDocumented("PATCH", "/v1/users/me", { ...t, body: { displayName: 42 } }, 400);
    await expectDocumented("GET", "/v1/users/me", {}, 401);

    const key = await expectDocumented("POST", "/v1/api-keys", { ...t, body: { name: "ci" } }, 201);
    await expectDocumented("GET", "/v1/api-keys", t, 200);
    await expectDocumented("DELETE", `/v1/api-keys/${key.body.data.id}`, t, 200);
    await expectDocumented("DELETE", "/v1/api-keys/key_missing", t, 404);

    const created = await expectDocumented("POST", "/v1/workflows", { ...t, body: workflowBody({ visibility: "public" }) }, 201);
    const wf = created.body.data.workflowId;
    await expectDocumented("GET", "/v1/workflows?limit=1", t, 200);
    await expectDocumented("GET", `/v1/workflows/${wf}`, t, 200);
    await expectDocumented("PUT", `/v1/workflows/${wf}`, { ...t, body: { description: "Now documented", changelog: "docs" } }, 200);
    await expectDocumented("GET", `/v1/workflows/${wf}/versions`, t, 200);
    await expectDocumented("GET", `/v1/workflows/${wf}/versions/1.0.0`, t, 200);
    await expectDocumented("POST", `/v1/workflows/${wf}/fork`, { token: fan.token, body: {} }, 201);
    await expectDocumented("PUT", `/v1/workflows/${wf}/rating`, { token: fan.token, body: { rating: 4 } }, 200);
    await expectDocumented("GET", `/v1/workflows/${wf}/rating`, { token: fan.token }, 200);
    await expectDocumented("DELETE", `/v1/workflows/${wf}/rating`, { token: fan.token }, 200);
    await expectDocumented("PUT", `/v1/workflows/${wf}/rating`, t, 400);

    await expectDocumented("GET", "/v1/marketplace?sort=recent", t, 200);
    await expectDocumented("GET", "/v1/marketplace/search?q=bug", t, 200);
    await expectDocumented("GET", "/v1/marketplace/featured", t, 200);

    await expectDocumented("POST", `/v1/library/${wf}`, { token: fan.token, body: { enabledAdapters: ["claude"] } }, 201);
    await expectDocumented("GET", "/v1/library", { token: fan.token }, 200);
    await expectDocumented("GET", `/v1/library/${wf}`, { token: fan.token }, 200);
    await expectDocumented("PATCH", `/v1/library/${wf}`, { token: fan.token, body: { autoUpdate: false } }, 200);

    const dep = await expectDocumented("POST", "/v1/deployments", { ...t, body: { name: "Schema", workflowIds: [wf] } }, 201);
    const d = dep.body.data.deploymentId;
    await expectDocumented("GET", "/v1/deployments", t, 200);
    await expectDocumented("GET", `/v1/deployments/${d}`, t, 200);
    await expectDocumented("PUT", `/v1/deployments/${d}`, { ...t, body: { description: "documented" } }, 200);
    await expectDocumented("POST", `/v1/deployments/${d}/adapters`, { ...t, body: { adapter: "cursor", enabled: false } }, 200);
    await expectDocumented("POST", `/v1/deployments/${d}/deactivate`, t, 200);
    await expectDocumented("POST", `/v1/deployments/${d}/activate`, t, 200);
    await expectDocumented("GET", `/v1/deployments/${d}/usage?period=week`, t, 200);
    await expectDocumented("GET", `/v1/deployments/${d}/prompts/codex`, t, 200);
    await expectDocumented("GET", `/v1/deployments/${d}/prompts/claude`, t, 200);
    await expectDocumented("GET", `/v1/deployments/${d}/prompts/vim`, t, 400);
    await expectDocumented("DELETE", `/v1/deployments/${d}`, t, 200);

    await expectDocumented("GET", "/v1/billing/subscription", t, 200);
    const urls = { successUrl: "https://hydra.example.com/ok", cancelUrl: "https://hydra.example.com/no" };
    await expectDocumented("POST", "/v1/billing/portal", { ...t, body: { returnUrl: "https://hydra.example.com/" } }, 409);
    await expectDocumented("POST", "/v1/billing/checkout", { ...t, body: { priceId: "pro_monthly", ...urls } }, 200);
    await expectDocumented("POST", "/v1/billing/portal", { ...t, body: { returnUrl: "https://hydra.example.com/" } }, 200);
    await expectDocumented("POST", "/v1/billing/webhook", await signedWebhook(stripeEvent("invoice.paid", { id: "in_1", object: "invoice" })), 200);

    await expectDocumented("DELETE", `/v1/library/${wf}`, { token: fan.token }, 200);
    await expectDocumented("DELETE", `/v1/workflows/${wf}`, t, 200);
    await expectDocumented("DELETE", "/v1/users/me", { token: fan.token }, 200);

    const restOperations = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .filter(() => path.startsWith("/v1/") || path.startsWith("/health"))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(restOperations.filter((op) => !checked.has(op))).toEqual([]);
  });
});
