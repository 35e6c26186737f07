// A local stand-in for an OIDC provider's token endpoint, bound to the Worker under test as the
// OIDC_API egress binding (vitest.config.ts). No network is involved.
//
// POST /token (authorization_code + PKCE) answers the code itself as the ID token, so a test
// picks the identity by passing a signed token as the code. A code "refuse" gets a 400 with a
// body that must never reach the browser.

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/token") return json({ error: "not_found" }, 404);
    const form = await request.formData();
    const code = form.get("code");
    const verifier = form.get("code_verifier");
    if (form.get("grant_type") !== "authorization_code" || typeof code !== "string") return json({ error: "unsupported_grant_type" }, 400);
    if (typeof verifier !== "string" || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return json({ error: "invalid_grant", error_description: "PKCE verifier missing" }, 400);
    if (form.get("client_id") !== "hydra-ide" || form.get("redirect_uri") !== "https://hydra.test/authorize/callback") {
      return json({ error: "invalid_client" }, 401);
    }
    if (code === "refuse") return json({ error: "invalid_grant", error_description: "upstream-secret-detail" }, 400);
    return json({ access_token: "upstream-access", token_type: "Bearer", id_token: code, expires_in: 300 });
  },
};
