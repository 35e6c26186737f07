import type { z } from "zod";
import { createApiKeyBody } from "../api-keys/schemas";
import { checkoutBody, portalBody } from "../billing/schemas";
import {
  adapterToggleBody,
  createDeploymentBody,
  listDeploymentsQuery,
  updateDeploymentBody,
  usageQuery,
} from "../deployments/schemas";
import type { Config } from "../env";
import type { ErrorCode } from "../errors";
import { forkWorkflowBody } from "../forks/schemas";
import { addToLibraryBody, listLibraryQuery, updateLibraryEntryBody } from "../library/schemas";
import { browseQuery, featuredQuery, searchQuery } from "../marketplace/schemas";
import { rateWorkflowBody } from "../ratings/schemas";
import { updateProfileBody } from "../users/schemas";
import { createWorkflowBody, listWorkflowsQuery, updateWorkflowBody } from "../workflows/schemas";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** One documented operation; paths use the OpenAPI `{param}` form. */
export interface Operation {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  status: number;
  /** The list envelope: `data` is an array and `pagination` comes with it. */
  paginated?: boolean;
  /** Errors beyond the ones every operation of its kind can return (see document.ts). */
  errors?: ErrorCode[];
  /** `false` for routes that take no Bearer token; "optional" where anonymous access may be allowed. */
  auth?: boolean | "optional";
  /** `false` for routes outside the per-user rate limiter. */
  rateLimited?: boolean;
  /** A non-envelope success body (SSE, JSON-RPC, MCP, health). */
  rawSuccess?: { contentType: string; description: string };
}

const WORKFLOWS = "Workflows";
const LIBRARY = "Library";
const MARKETPLACE = "Marketplace";
const DEPLOYMENTS = "Deployments";
const BILLING = "Billing";
const API_KEYS = "API keys";
const USERS = "Users";

/**
 * Every REST operation under /v1. The billing bodies validate redirect URLs against the server's
 * configuration, so the table is built per config.
 */
export function v1Operations(config: Config): Operation[] {
  return [
    { method: "get", path: "/v1/users/me", summary: "Your profile", tag: USERS, status: 200 },
    { method: "patch", path: "/v1/users/me", summary: "Update your profile", tag: USERS, body: updateProfileBody, status: 200 },
    {
      method: "delete",
      path: "/v1/users/me",
      summary: "Delete your account and everything it owns",
      tag: USERS,
      status: 200,
      errors: ["SERVICE_UNAVAILABLE"],
    },

    { method: "post", path: "/v1/api-keys", summary: "Create an API key (the secret is shown once)", tag: API_KEYS, body: createApiKeyBody, status: 201 },
    { method: "get", path: "/v1/api-keys", summary: "List your API keys", tag: API_KEYS, status: 200 },
    { method: "delete", path: "/v1/api-keys/{keyId}", summary: "Revoke an API key", tag: API_KEYS, status: 200 },

    { method: "get", path: "/v1/workflows", summary: "List your workflows", tag: WORKFLOWS, query: listWorkflowsQuery, status: 200, paginated: true },
    {
      method: "post",
      path: "/v1/workflows",
      summary: "Create a workflow from an HMS manifest",
      tag: WORKFLOWS,
      body: createWorkflowBody,
      status: 201,
      errors: ["PLAN_LIMIT_EXCEEDED", "CONFLICT"],
    },
    { method: "get", path: "/v1/workflows/{workflowId}", summary: "Get a workflow", tag: WORKFLOWS, status: 200 },
    {
      method: "put",
      path: "/v1/workflows/{workflowId}",
      summary: "Update a workflow (fields left out keep their values; a new manifest makes a new version)",
      tag: WORKFLOWS,
      body: updateWorkflowBody,
      status: 200,
      errors: ["FORBIDDEN", "CONFLICT"],
    },
    { method: "delete", path: "/v1/workflows/{workflowId}", summary: "Delete a workflow", tag: WORKFLOWS, status: 200, errors: ["FORBIDDEN"] },
    { method: "get", path: "/v1/workflows/{workflowId}/versions", summary: "List a workflow's versions", tag: WORKFLOWS, status: 200 },
    { method: "get", path: "/v1/workflows/{workflowId}/versions/{version}", summary: "Get one version with its manifest", tag: WORKFLOWS, status: 200 },
    { method: "post", path: "/v1/workflows/{workflowId}/fork", summary: "Fork a workflow into your account", tag: WORKFLOWS, body: forkWorkflowBody, status: 201, errors: ["PLAN_LIMIT_EXCEEDED"] },
    { method: "get", path: "/v1/workflows/{workflowId}/rating", summary: "Your rating of a workflow", tag: WORKFLOWS, status: 200 },
    { method: "put", path: "/v1/workflows/{workflowId}/rating", summary: "Rate a workflow (1–5)", tag: WORKFLOWS, body: rateWorkflowBody, status: 200, errors: ["FORBIDDEN"] },
    { method: "delete", path: "/v1/workflows/{workflowId}/rating", summary: "Remove your rating", tag: WORKFLOWS, status: 200 },

    { method: "get", path: "/v1/marketplace", summary: "Browse public workflows", tag: MARKETPLACE, query: browseQuery, status: 200, paginated: true },
    { method: "get", path: "/v1/marketplace/search", summary: "Search public workflows", tag: MARKETPLACE, query: searchQuery, status: 200, paginated: true },
    { method: "get", path: "/v1/marketplace/featured", summary: "Featured public workflows", tag: MARKETPLACE, query: featuredQuery, status: 200 },

    { method: "get", path: "/v1/library", summary: "List your library", tag: LIBRARY, query: listLibraryQuery, status: 200, paginated: true },
    { method: "get", path: "/v1/library/{workflowId}", summary: "Get a library entry", tag: LIBRARY, status: 200 },
    { method: "post", path: "/v1/library/{workflowId}", summary: "Add a workflow to your library", tag: LIBRARY, body: addToLibraryBody, status: 201, errors: ["CONFLICT"] },
    { method: "patch", path: "/v1/library/{workflowId}", summary: "Update a library entry", tag: LIBRARY, body: updateLibraryEntryBody, status: 200 },
    { method: "delete", path: "/v1/library/{workflowId}", summary: "Remove a workflow from your library", tag: LIBRARY, status: 200 },

    { method: "get", path: "/v1/deployments", summary: "List your deployments", tag: DEPLOYMENTS, query: listDeploymentsQuery, status: 200, paginated: true },
    {
      method: "post",
      path: "/v1/deployments",
      summary: "Create a deployment (an MCP endpoint)",
      tag: DEPLOYMENTS,
      body: createDeploymentBody,
      status: 201,
      errors: ["PLAN_LIMIT_EXCEEDED", "FORBIDDEN"],
    },
    { method: "get", path: "/v1/deployments/{deploymentId}", summary: "Get a deployment", tag: DEPLOYMENTS, status: 200 },
    { method: "put", path: "/v1/deployments/{deploymentId}", summary: "Update a deployment (only the fields given)", tag: DEPLOYMENTS, body: updateDeploymentBody, status: 200, errors: ["FORBIDDEN"] },
    { method: "delete", path: "/v1/deployments/{deploymentId}", summary: "Delete a deployment", tag: DEPLOYMENTS, status: 200 },
    { method: "post", path: "/v1/deployments/{deploymentId}/adapters", summary: "Enable or disable one adapter", tag: DEPLOYMENTS, body: adapterToggleBody, status: 200 },
    { method: "post", path: "/v1/deployments/{deploymentId}/activate", summary: "Activate a deployment", tag: DEPLOYMENTS, status: 200, errors: ["PLAN_LIMIT_EXCEEDED"] },
    { method: "post", path: "/v1/deployments/{deploymentId}/deactivate", summary: "Deactivate a deployment", tag: DEPLOYMENTS, status: 200 },
    { method: "get", path: "/v1/deployments/{deploymentId}/usage", summary: "Connection usage of a deployment", tag: DEPLOYMENTS, query: usageQuery, status: 200 },
    { method: "get", path: "/v1/deployments/{deploymentId}/prompts/{adapter}", summary: "The rendered prompt for one adapter", tag: DEPLOYMENTS, status: 200 },

    { method: "get", path: "/v1/billing/subscription", summary: "Your plan and subscription", tag: BILLING, status: 200 },
    {
      method: "post",
      path: "/v1/billing/checkout",
      summary: "Start a Stripe checkout",
      tag: BILLING,
      body: checkoutBody(config),
      status: 200,
      errors: ["CONFLICT", "BILLING_NOT_CONFIGURED"],
    },
    {
      method: "post",
      path: "/v1/billing/portal",
      summary: "Open the Stripe billing portal",
      tag: BILLING,
      body: portalBody(config),
      status: 200,
      errors: ["CONFLICT", "BILLING_NOT_CONFIGURED"],
    },
    {
      method: "post",
      path: "/v1/billing/webhook",
      summary: "Stripe webhook",
      description: "Called by Stripe only: authenticated by the Stripe-Signature header, not a Bearer token, and not rate limited.",
      tag: BILLING,
      status: 200,
      auth: false,
      rateLimited: false,
      errors: ["BILLING_NOT_CONFIGURED"],
    },
  ];
}

const RUNTIME = "Agent runtime";

/** Routes outside /v1: described briefly, their bodies follow their own protocols. */
export const otherOperations: Operation[] = [
  {
    method: "get",
    path: "/health",
    summary: "Health of the service and its dependencies",
    description: "200 with status \"ok\", or 503 with the same body and status \"degraded\".",
    tag: "Health",
    status: 200,
    auth: false,
    rateLimited: false,
    rawSuccess: { contentType: "application/json", description: "Health report" },
  },
  {
    method: "post",
    path: "/rpc",
    summary: "JSON-RPC 2.0 control of agent runs (run, cancel, kill, resume, approve, status, health)",
    description: "JSON-RPC errors travel in a 200 response; a body of notifications only gets an empty 204.",
    tag: RUNTIME,
    status: 200,
    rawSuccess: { contentType: "application/json", description: "JSON-RPC 2.0 response (or batch)" },
  },
  {
    method: "get",
    path: "/events",
    summary: "Server-sent events of all your runs",
    tag: RUNTIME,
    status: 200,
    rawSuccess: { contentType: "text/event-stream", description: "SSE stream" },
  },
  {
    method: "get",
    path: "/runs/{run_id}/events",
    summary: "Server-sent events of one run (replays from Last-Event-ID)",
    tag: RUNTIME,
    status: 200,
    errors: ["NOT_FOUND"],
    rawSuccess: { contentType: "text/event-stream", description: "SSE stream" },
  },
  {
    method: "post",
    path: "/mcp/{deploymentId}",
    summary: "MCP Streamable HTTP endpoint of a deployment",
    description:
      "JSON-RPC 2.0 per the MCP specification. The owner's Bearer token (or nothing, when the deployment allows anonymous access) authenticates; GET and DELETE manage the session.",
    tag: "MCP",
    status: 200,
    auth: "optional",
    rateLimited: false,
    errors: ["FORBIDDEN", "NOT_FOUND", "LOCKED", "UNSUPPORTED_MEDIA_TYPE", "PLAN_LIMIT_EXCEEDED"],
    rawSuccess: { contentType: "application/json", description: "JSON-RPC 2.0 response, or 202 for notifications" },
  },
];
