import { describe, expect, it } from "vitest";
import { stripeApi, stripeForm, StripeRequestError } from "../src/billing/stripe-api";
import { requestLogger } from "../src/log";

describe("the Stripe REST client", () => {
  it("encodes nested params the way Stripe reads them", () => {
    const form = stripeForm({ mode: "subscription", line_items: [{ price: "price_1", quantity: 1 }], metadata: { userId: "u 1&x" }, skip: undefined, empty: null });
    expect(form).toBe("mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=1&metadata[userId]=u%201%26x&empty=");
  });

  it("retries once on a 5xx with the same idempotency key; a 4xx is a StripeRequestError with its status", async () => {
    const seen: { key: string | null; auth: string | null; version: string | null }[] = [];
    const answers = [new Response("{}", { status: 503 }), Response.json({ id: "cus_1", object: "customer" })];
    const api = stripeApi({
      secretKey: "sk_test_x",
      base: "http://stripe.standin",
      log: requestLogger("stripe-test"),
      fetch: async (_url, init) => {
        const headers = new Headers(init.headers);
        seen.push({ key: headers.get("Idempotency-Key"), auth: headers.get("Authorization"), version: headers.get("Stripe-Version") });
        return answers.shift()!;
      },
    });
    expect(await api.customers.create({ email: "a@example.com" })).toMatchObject({ id: "cus_1" });
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]!.key).toBe(seen[0]!.key);
    expect(seen[0]!.auth).toBe("Bearer sk_test_x");
    expect(seen[0]!.version).toBeTruthy();

    const refusing = stripeApi({ secretKey: "sk", base: "http://s", log: requestLogger("stripe-test"), fetch: async () => Response.json({ error: { type: "invalid_request_error", message: "nope" } }, { status: 404 }) });
    const err = await refusing.subscriptions.cancel("sub_gone").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StripeRequestError);
    expect(err).toMatchObject({ statusCode: 404, type: "invalid_request_error" });
  });
});
