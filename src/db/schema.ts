import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Every D1 table. Timestamps are ISO-8601 strings with milliseconds (they sort as text);
 * JSON columns hold arrays/objects serialised by drizzle's `mode: "json"`.
 */

export const users = sqliteTable("users", {
  id: text("id").primaryKey(), // the identity provider's `sub`
  email: text("email"),
  displayName: text("display_name"),
  plan: text("plan", { enum: ["free", "pro", "team", "enterprise"] }).notNull().default("free"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  /** Set when an account deletion starts: the account's credentials and writes are refused from then on. */
  deletedAt: text("deleted_at"),
});

/**
 * One row per deleted account (migrations/0002_reliability.sql, with the insert triggers that
 * refuse writes for deleting or deleted users): tokens issued before `deletedAt` stay refused.
 */
export const deletedUsers = sqliteTable("deleted_users", {
  userId: text("user_id").primaryKey(),
  deletedAt: text("deleted_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), index("api_keys_user_idx").on(t.userId, t.createdAt)],
);

export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    description: text("description"),
    visibility: text("visibility", { enum: ["public", "private"] }).notNull().default("private"),
    category: text("category"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    currentVersion: text("current_version").notNull(),
    forksCount: integer("forks_count").notNull().default(0),
    subscribersCount: integer("subscribers_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    featured: integer("featured", { mode: "boolean" }).notNull().default(false),
    forkedFromWorkflowId: text("forked_from_workflow_id"),
    forkedFromUserId: text("forked_from_user_id"),
    forkedFromVersion: text("forked_from_version"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("workflows_owner_idx").on(t.ownerId, t.createdAt, t.id),
    index("workflows_public_updated_idx").on(t.visibility, t.updatedAt, t.id),
    index("workflows_public_category_idx").on(t.visibility, t.category),
    // Marketplace "popular" order and fork recounts (migrations/0001_marketplace_search.sql
    // creates the workflows_fts search table and its triggers).
    index("workflows_public_popular_idx").on(t.visibility, t.subscribersCount, t.forksCount, t.createdAt, t.id),
    index("workflows_forked_from_idx").on(t.forkedFromWorkflowId),
  ],
);

export const workflowVersions = sqliteTable(
  "workflow_versions",
  {
    workflowId: text("workflow_id").notNull(),
    version: text("version").notNull(),
    major: integer("major").notNull(),
    minor: integer("minor").notNull(),
    patch: integer("patch").notNull(),
    manifest: text("manifest", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    changelog: text("changelog"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workflowId, t.version] }),
    index("workflow_versions_order_idx").on(t.workflowId, t.major, t.minor, t.patch),
  ],
);

export const libraryEntries = sqliteTable(
  "library_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    sourceType: text("source_type", { enum: ["owned", "subscribed", "forked"] }).notNull(),
    sourceUserId: text("source_user_id").notNull(),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    enabledAdapters: text("enabled_adapters", { mode: "json" }).$type<string[]>().notNull(),
    pinnedVersion: text("pinned_version").notNull(),
    autoUpdate: integer("auto_update", { mode: "boolean" }).notNull().default(true),
    addedAt: text("added_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("library_user_workflow_idx").on(t.userId, t.workflowId),
    index("library_user_added_idx").on(t.userId, t.addedAt, t.id),
    index("library_workflow_idx").on(t.workflowId),
    index("library_workflow_source_idx").on(t.workflowId, t.sourceType),
  ],
);

export const ratings = sqliteTable(
  "ratings",
  {
    userId: text("user_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    rating: integer("rating").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.workflowId] }), index("ratings_workflow_idx").on(t.workflowId)],
);

export const deployments = sqliteTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    enabledAdapters: text("enabled_adapters", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status", { enum: ["active", "inactive"] }).notNull().default("active"),
    allowAnonymous: integer("allow_anonymous", { mode: "boolean" }).notNull().default(false),
    /** Whether /mcp/{id} advertises OAuth sign-in (discovery documents); header credentials work in both. */
    authMode: text("auth_mode", { enum: ["header", "oauth"] }).notNull().default("oauth"),
    lastConnectedAt: text("last_connected_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("deployments_owner_idx").on(t.ownerId, t.createdAt, t.id)],
);

export const deploymentWorkflows = sqliteTable(
  "deployment_workflows",
  {
    deploymentId: text("deployment_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deploymentId, t.workflowId] }),
    index("deployment_workflows_workflow_idx").on(t.workflowId),
  ],
);

/** Rendered prompts/tools per adapter: the source of truth the KV lookup record is rebuilt from. */
export const deploymentPrompts = sqliteTable(
  "deployment_prompts",
  {
    deploymentId: text("deployment_id").notNull(),
    adapter: text("adapter").notNull(),
    content: text("content", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.adapter] })],
);

export const deploymentUsageDaily = sqliteTable(
  "deployment_usage_daily",
  {
    deploymentId: text("deployment_id").notNull(),
    day: text("day").notNull(), // YYYY-MM-DD (UTC)
    adapter: text("adapter").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.day, t.adapter] })],
);

/**
 * 2026-07-28 clients send no initialize, so a "connection" is the first request of a client
 * identity on a deployment in a UTC hour; a row here says that hour was already counted.
 */
export const mcpClientHours = sqliteTable(
  "mcp_client_hours",
  {
    deploymentId: text("deployment_id").notNull(),
    hour: text("hour").notNull(), // YYYY-MM-DDTHH (UTC)
    clientKey: text("client_key").notNull(), // SHA-256 of (credential subject, client name), hex
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.hour, t.clientKey] })],
);

/** Run history written by the runtime's learn phase; live state lives in the run's Durable Object. */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    intent: text("intent").notNull(),
    workflowId: text("workflow_id"),
    workflowVersion: text("workflow_version"),
    status: text("status").notNull(),
    steps: text("steps", { mode: "json" }).$type<unknown[]>().notNull().default(sql`'[]'`),
    tokensUsed: integer("tokens_used").notNull().default(0),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    completedAt: text("completed_at"),
  },
  (t) => [
    index("runs_user_idx").on(t.userId, t.createdAt),
    index("runs_user_status_idx").on(t.userId, t.status, t.createdAt),
    index("runs_user_workflow_idx").on(t.userId, t.workflowId, t.createdAt),
  ],
);

/** Maps an approval id to its run so `hydra.approve` can find the right Durable Object. */
export const runApprovals = sqliteTable(
  "run_approvals",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull(),
    userId: text("user_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("run_approvals_run_idx").on(t.runId)],
);

export const billingRecords = sqliteTable("billing_records", {
  userId: text("user_id").primaryKey(),
  customerId: text("customer_id"),
  subscriptionId: text("subscription_id"),
  plan: text("plan").notNull().default("free"),
  status: text("status"),
  priceId: text("price_id"),
  currentPeriodStart: text("current_period_start"),
  currentPeriodEnd: text("current_period_end"),
  cancelAtPeriodEnd: integer("cancel_at_period_end", { mode: "boolean" }).notNull().default(false),
  /** `created` of the newest Stripe event applied, so older deliveries never overwrite newer state. */
  lastEventAt: integer("last_event_at"),
  updatedAt: text("updated_at").notNull(),
});

export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: text("processed_at").notNull(),
});

export type UserRow = typeof users.$inferSelect;
export type WorkflowRow = typeof workflows.$inferSelect;
export type WorkflowVersionRow = typeof workflowVersions.$inferSelect;
export type LibraryEntryRow = typeof libraryEntries.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;


/** Dashboard sessions (migrations/0004_dashboard.sql, hand-written): the cookie's id is stored hashed. */
export const dashboardSessions = sqliteTable(
  "dashboard_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id").notNull(),
    csrfToken: text("csrf_token").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [index("dashboard_sessions_user_idx").on(t.userId)],
);
