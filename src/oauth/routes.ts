import {
  AuthorizationError,
  CimdFetchError,
  OAuthResourceServer,
  authorizationErrorRedirect,
  type AuthRequest,
} from "@cloudflare/workers-oauth-provider";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { authModeOf, type DeploymentRecord } from "../deployments/record";
import { loadRecord } from "../deployments/record-loader";
import type { AppEnv, Bindings } from "../env";
import { ApiError, notFound } from "../errors";
import { deploymentOfGrantToken } from "./grants";
import { PAGE_HEADERS, consentPage, messagePage } from "./pages";
import {
  MCP_SCOPE,
  atIssuer,
  authorizationServer,
  deploymentIdOfResource,
  deploymentResource,
  oauthHelpers,
  oauthIssuer,
  type McpGrantProps,
} from "./server";
import { isSameOriginRequest, sessionLabel, sessionUser } from "../session";
import { finishHostedLogin, identifyAuthorizingUser, startHostedLogin, usesHostedLogin, type HostedLoginData } from "./sign-in";
import { dbOf } from "../db/session";

const DEPLOYMENT_ID = /^dep_[A-Za-z0-9]{1,64}$/;

/** Hono types its own ExecutionContext; at runtime it is the Worker's. */
const workerCtx = (c: Context<AppEnv>) => c.executionCtx as unknown as ExecutionContext;

function page(html: string, status: ContentfulStatusCode, headers: Headers = new Headers()): Response {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) headers.set(name, value);
  return new Response(html, { status, headers });
}

const redirect = (location: string, headers: Headers = new Headers()) => {
  headers.set("Location", location);
  return new Response(null, { status: 302, headers });
};

async function deploymentRecord(c: Context<AppEnv>, deploymentId: string): Promise<DeploymentRecord | null> {
  return DEPLOYMENT_ID.test(deploymentId) ? loadRecord(() => dbOf(c), c.env.KV, deploymentId, c.get("clock")) : null;
}

/** Discovery, registration and tokens belong to the library (RFC 8414, RFC 7591, OAuth 2.1). */
function libraryEndpoint(c: Context<AppEnv>, deploymentId?: string | null) {
  const issuer = oauthIssuer(c);
  return authorizationServer(c.get("config"), issuer, deploymentId).fetch(atIssuer(issuer, c.req.raw), c.env, workerCtx(c));
}

/**
 * The token endpoint (and RFC 7009 revocation) must be built for the grant's deployment: from
 * the RFC 8707 `resource` the client sends, else from the grant its code or token names.
 */
async function deploymentOfTokenRequest(c: Context<AppEnv>): Promise<string | null> {
  const form = await c.req.raw
    .clone()
    .formData()
    .catch(() => null);
  if (!form) return null;
  const resource = form.get("resource");
  if (resource !== null) return deploymentIdOfResource(oauthIssuer(c), resource);
  const token = form.get("code") ?? form.get("refresh_token") ?? form.get("token");
  return typeof token === "string" ? deploymentOfGrantToken(c.env.OAUTH_KV, token) : null;
}

/** RFC 9728 metadata of one deployment, served by the library's resource server. */
async function protectedResourceMetadata(c: Context<AppEnv>) {
  const deploymentId = c.req.param("deploymentId") ?? "";
  const record = await deploymentRecord(c, deploymentId);
  if (!record) throw notFound("Deployment", deploymentId);
  if (authModeOf(record) !== "oauth") {
    throw new ApiError("NOT_FOUND", "This deployment does not offer OAuth sign-in (auth mode 'header'): send the owner's token or API key", {
      deploymentId,
      authMode: "header",
    });
  }
  const issuer = oauthIssuer(c);
  const resourceServer = new OAuthResourceServer<Bindings, McpGrantProps>({
    resourceMetadata: {
      resource: deploymentResource(issuer, deploymentId),
      authorization_servers: [issuer],
      resource_name: record.name,
      bearer_methods_supported: ["header"],
    },
    requiredScopes: [MCP_SCOPE],
    // Only its metadata is served from here: /mcp/{id} checks its tokens itself (src/oauth/mcp-access.ts).
    validateToken: (env) => (resource, token) => authorizationServer(c.get("config"), issuer, deploymentId).validateToken(resource, token, env),
    handler: { fetch: () => new Response(null, { status: 404 }) },
  });
  const url = new URL(c.req.url);
  return resourceServer.fetch(atIssuer(issuer, new Request(`${url.origin}${url.pathname.replace(/\/$/, "")}`, c.req.raw)), c.env, workerCtx(c));
}

/** A failed authorization request: back to the client only once its redirect URI is verified. */
function authorizationFailure(err: unknown): Response {
  if (err instanceof AuthorizationError) {
    if (err.redirectTo) return redirect(err.redirectTo);
    return page(messagePage("This sign-in request is not valid", err.description ?? err.code), 400);
  }
  if (err instanceof CimdFetchError) return page(messagePage("This app could not be verified", "Its client metadata document could not be fetched."), 400);
  throw err;
}

/** GET /authorize: validate the request, name the deployment, ask for consent (and a token). */
async function showConsent(c: Context<AppEnv>) {
  const issuer = oauthIssuer(c);
  const deploymentId = deploymentIdOfResource(issuer, c.req.query("resource"));
  if (!deploymentId) {
    return page(
      messagePage(
        "Which deployment?",
        `Sign-in is per deployment: the client must send resource=${issuer}/mcp/<deploymentId>. Connect your IDE to the deployment's MCP endpoint and sign in from there.`,
      ),
      400,
    );
  }
  const record = await deploymentRecord(c, deploymentId);
  if (!record) return page(messagePage("Deployment not found", `There is no deployment '${deploymentId}'.`), 404);
  if (authModeOf(record) !== "oauth") {
    return page(messagePage("OAuth sign-in is off", "This deployment accepts only its owner's token or API key in the Authorization header."), 403);
  }
  const helpers = oauthHelpers(c, deploymentId);
  try {
    const request = await helpers.parseAuthRequest(atIssuer(issuer, c.req.raw));
    const details = await helpers.describeConsent(request);
    const consent = await helpers.beginConsent(request);
    const session = await sessionUser(c);
    const signedInAs = session ? sessionLabel(session) : null;
    return page(consentPage({ details, deployment: record, handle: consent.handle, askForToken: !usesHostedLogin(c.get("config")), signedInAs }), 200, consent.headers);
  } catch (err) {
    return authorizationFailure(err);
  }
}

/**
 * The grant: only the deployment's owner may authorize an IDE for it. The token's audience is
 * the deployment (RFC 8707); props and metadata repeat it for the MCP check and revocation.
 */
async function grant(c: Context<AppEnv>, request: AuthRequest, userId: string, headers: Headers): Promise<Response> {
  const deploymentId = deploymentIdOfResource(oauthIssuer(c), request.resource);
  const record = deploymentId ? await deploymentRecord(c, deploymentId) : null;
  if (!deploymentId || !record || record.ownerId !== userId) {
    return redirect(authorizationErrorRedirect(request, "access_denied", "Only the deployment's owner can connect an IDE to it"), headers);
  }
  const props: McpGrantProps = { userId, deploymentId };
  const { redirectTo } = await oauthHelpers(c, deploymentId).completeAuthorization({
    request,
    userId,
    metadata: { deploymentId },
    scope: [MCP_SCOPE],
    props,
  });
  return redirect(redirectTo, headers);
}

/** POST /authorize: Deny, or Approve with sign-in (a pasted token, or the hosted login). */
async function decide(c: Context<AppEnv>) {
  const form = await c.req.raw
    .clone()
    .formData()
    .catch(() => null);
  const handle = form?.get("handle");
  if (typeof handle !== "string") return page(messagePage("This sign-in request is not valid", "The form is incomplete; start again from your IDE."), 400);
  const raw = atIssuer(oauthIssuer(c), c.req.raw);
  // The stored request names its deployment (see grant); no form field is trusted for that.
  const helpers = oauthHelpers(c);
  try {
    if (form?.get("decision") !== "approve") {
      const denied = await helpers.denyConsent(raw, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    // Checked before the handle is used up, so a mistyped token can be corrected on the same page.
    const pasted = form?.get("token");
    const user = await identifyAuthorizingUser(c, { pastedToken: typeof pasted === "string" ? pasted : null, session: isSameOriginRequest(c) });
    if (!user && usesHostedLogin(c.get("config"))) {
      const approved = await helpers.approveConsent(raw, handle);
      return startHostedLogin(c.get("config"), helpers, oauthIssuer(c), approved);
    }
    if (!user) {
      return page(messagePage("Sign-in failed", "The token is not valid (expired, revoked or mistyped). Go back, paste a valid token or API key, and approve again."), 401);
    }
    const approved = await helpers.approveConsent(raw, handle);
    return grant(c, approved.request, user.id, approved.headers);
  } catch (err) {
    return authorizationFailure(err);
  }
}

/** GET /authorize/callback: the hosted login's answer. */
async function hostedLoginReturn(c: Context<AppEnv>) {
  if (!usesHostedLogin(c.get("config"))) throw notFound("Route");
  const issuer = oauthIssuer(c);
  const helpers = oauthHelpers(c);
  try {
    const resumed = await helpers.finishUpstream<HostedLoginData>(atIssuer(issuer, c.req.raw));
    const code = c.req.query("code");
    if (c.req.query("error") !== undefined || !code) {
      return redirect(authorizationErrorRedirect(resumed.request, "access_denied", "Sign-in was cancelled or failed"), resumed.headers);
    }
    const idToken = await finishHostedLogin(c, issuer, code, resumed.data);
    const user = await identifyAuthorizingUser(c, { idToken });
    if (!user) return redirect(authorizationErrorRedirect(resumed.request, "access_denied", "Sign-in failed"), resumed.headers);
    return grant(c, resumed.request, user.id, resumed.headers);
  } catch (err) {
    return authorizationFailure(err);
  }
}

/**
 * OAuth 2.1 sign-in for IDEs (MCP authorization). OAuth endpoints answer in OAuth's own error
 * format (RFC 6749), the pages in HTML; the REST envelope stays for our JSON 404s.
 */
export const oauthRoutes = new Hono<AppEnv>()
  .on(["GET", "OPTIONS"], "/.well-known/oauth-authorization-server", (c) => libraryEndpoint(c))
  .get("/.well-known/oauth-protected-resource/mcp/:deploymentId", protectedResourceMetadata)
  .get("/.well-known/oauth-protected-resource", () => {
    throw new ApiError("NOT_FOUND", "Each deployment is its own protected resource: see /.well-known/oauth-protected-resource/mcp/{deploymentId}");
  })
  .on(["POST", "OPTIONS"], "/register", (c) => libraryEndpoint(c))
  .on(["POST", "OPTIONS"], "/token", async (c) => libraryEndpoint(c, c.req.method === "POST" ? await deploymentOfTokenRequest(c) : null))
  .get("/authorize", showConsent)
  .post("/authorize", decide)
  .get("/authorize/callback", hostedLoginReturn);
