import { and, count, eq, inArray, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import {
  apiKeys,
  billingRecords,
  deploymentPrompts,
  deploymentUsageDaily,
  deletedUsers,
  mcpClientHours,
  deploymentWorkflows,
  deployments,
  libraryEntries,
  ratings,
  runApprovals,
  runs,
  users,
  workflowVersions,
  workflows,
} from "../db/schema";
import { cancelSubscriptionNow, getBillingRecord } from "../billing/service";
import { createStripeClient, isStripeConfigured } from "../billing/stripe";
import type { Context } from "hono";
import type { AppEnv, Bindings, Config } from "../env";
import type { Logger } from "../log";
import { runStub } from "../runtime/run-object";
import { eraseRuns, killActiveRuns } from "../runtime/user-runs";
import { refreshDeployments } from "../deployments/publish";
import { deleteStoredRecord, deploymentKvKey } from "../deployments/record-store";
import { revokeOAuthGrants } from "../oauth/grants";
import { deleteWorkflowStatements } from "../workflows/service";
import { forgetAccount } from "../ratelimit/limiter";
import { dbOf } from "../db/session";


export interface DeletionStats {
  workflows: number;
  workflowVersions: number;
  deployments: number;
  deploymentPrompts: number;
  deploymentLookups: number;
  subscriptions: number;
  subscriberEntries: number;
  billingRecords: number;
}

/** What the account owns, read in one batch (one consistent snapshot) before anything is deleted. */
export async function collectAccount(db: Database, kv: KVNamespace, userId: string) {
  const ownWorkflows = db.select({ id: workflows.id }).from(workflows).where(eq(workflows.ownerId, userId));
  const ownDeployments = db.select({ id: deployments.id }).from(deployments).where(eq(deployments.ownerId, userId));
  const [wf, dep, versions, prompts, subscribed, subscribers, billing, keys, runRows, affected] = await db.batch([
    ownWorkflows,
    ownDeployments,
    db.select({ n: count() }).from(workflowVersions).where(inArray(workflowVersions.workflowId, ownWorkflows)),
    db.select({ n: count() }).from(deploymentPrompts).where(inArray(deploymentPrompts.deploymentId, ownDeployments)),
    db
      .select({ n: count() })
      .from(libraryEntries)
      .where(and(eq(libraryEntries.userId, userId), eq(libraryEntries.sourceType, "subscribed"))),
    db
      .select({ n: count() })
      .from(libraryEntries)
      .where(and(ne(libraryEntries.userId, userId), inArray(libraryEntries.workflowId, ownWorkflows))),
    db.select({ n: count() }).from(billingRecords).where(eq(billingRecords.userId, userId)),
    db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.userId, userId)),
    db.select({ id: runs.id }).from(runs).where(eq(runs.userId, userId)),
    // Other users' deployments that serve this user's workflows: they lose those workflows.
    db
      .selectDistinct({ id: deploymentWorkflows.deploymentId })
      .from(deploymentWorkflows)
      .where(
        and(
          inArray(deploymentWorkflows.workflowId, ownWorkflows),
          sql`${deploymentWorkflows.deploymentId} not in (select ${deployments.id} from ${deployments} where ${deployments.ownerId} = ${userId})`,
        ),
      ),
  ]);
  const deploymentIds = dep.map((d) => d.id);
  const lookups = await Promise.all(deploymentIds.map((id) => kv.get(deploymentKvKey(id))));
  const stats: DeletionStats = {
    workflows: wf.length,
    workflowVersions: versions[0]?.n ?? 0,
    deployments: deploymentIds.length,
    deploymentPrompts: prompts[0]?.n ?? 0,
    deploymentLookups: lookups.filter((value) => value !== null).length,
    subscriptions: subscribed[0]?.n ?? 0,
    subscriberEntries: subscribers[0]?.n ?? 0,
    billingRecords: billing[0]?.n ?? 0,
  };
  return {
    alsoDeleted: { apiKeys: keys[0]?.n ?? 0, runs: runRows.length },
    runIds: runRows.map((r) => r.id),
    workflowIds: wf.map((w) => w.id),
    deploymentIds,
    otherDeploymentIds: affected.map((d) => d.id),
    stats,
  };
}

/**
 * Every row the account owns, as one batch (one D1 transaction: all or nothing). Counters on
 * other users' workflows that this user's ratings and subscriptions fed are corrected first.
 */
export function accountDeletionStatements(
  db: Database,
  userId: string,
  workflowIds: string[],
  deploymentIds: string[],
  deletedAt: string,
): BatchItem<"sqlite">[] {
  const ownDeployments = db.select({ id: deployments.id }).from(deployments).where(eq(deployments.ownerId, userId));
  const ownRuns = db.select({ id: runs.id }).from(runs).where(eq(runs.userId, userId));
  const myRating = sql`(select ${ratings.rating} from ${ratings} where ${ratings.userId} = ${userId} and ${ratings.workflowId} = ${workflows.id})`;
  return [
    db
      .update(workflows)
      .set({ ratingSum: sql`${workflows.ratingSum} - ${myRating}`, ratingCount: sql`max(${workflows.ratingCount} - 1, 0)` })
      .where(
        and(
          ne(workflows.ownerId, userId),
          inArray(workflows.id, db.select({ id: ratings.workflowId }).from(ratings).where(eq(ratings.userId, userId))),
        ),
      ),
    db
      .update(workflows)
      .set({ subscribersCount: sql`max(${workflows.subscribersCount} - 1, 0)` })
      .where(
        and(
          ne(workflows.ownerId, userId),
          inArray(
            workflows.id,
            db
              .select({ id: libraryEntries.workflowId })
              .from(libraryEntries)
              .where(and(eq(libraryEntries.userId, userId), eq(libraryEntries.sourceType, "subscribed"))),
          ),
        ),
      ),
    ...deleteWorkflowStatements(db, workflowIds),
    db.delete(deploymentWorkflows).where(inArray(deploymentWorkflows.deploymentId, ownDeployments)),
    db.delete(deploymentPrompts).where(inArray(deploymentPrompts.deploymentId, ownDeployments)),
    db.delete(deploymentUsageDaily).where(inArray(deploymentUsageDaily.deploymentId, ownDeployments)),
    db.delete(mcpClientHours).where(inArray(mcpClientHours.deploymentId, ownDeployments)),
    db.delete(deployments).where(eq(deployments.ownerId, userId)),
    db.delete(libraryEntries).where(eq(libraryEntries.userId, userId)),
    db.delete(ratings).where(eq(ratings.userId, userId)),
    db.delete(runApprovals).where(inArray(runApprovals.runId, ownRuns)),
    db.delete(runApprovals).where(eq(runApprovals.userId, userId)),
    db.delete(runs).where(eq(runs.userId, userId)),
    db.delete(apiKeys).where(eq(apiKeys.userId, userId)),
    db.delete(billingRecords).where(eq(billingRecords.userId, userId)),
    // Rows keyed by a deployment id that a request may have written after the deployment row was read.
    ...(deploymentIds.length > 0
      ? [
          db.delete(deploymentPrompts).where(inArray(deploymentPrompts.deploymentId, deploymentIds)),
          db.delete(deploymentUsageDaily).where(inArray(deploymentUsageDaily.deploymentId, deploymentIds)),
          db.delete(deploymentWorkflows).where(inArray(deploymentWorkflows.deploymentId, deploymentIds)),
        ]
      : []),
    db.delete(users).where(eq(users.id, userId)),
    // The tombstone outlives the row: tokens issued before the deletion stay refused.
    db.insert(deletedUsers).values({ userId, deletedAt }).onConflictDoUpdate({ target: deletedUsers.userId, set: { deletedAt } }),
  ];
}

export interface AccountDeletionDeps {
  log: Logger;
  db: Database;
  kv: KVNamespace;
  /** OAuth grants of the user's IDEs: all revoked. */
  oauthKv: KVNamespace;
  config: Config;
  stripeEgress?: Fetcher | undefined;
  /** Where the user's run Durable Objects live; their active runs are stopped before anything is deleted. */
  runtime: Bindings;
  now: Date;
}

/** What a deletion needs, from the request that asks for it (REST or the dashboard). */
export const accountDeletionDeps = (c: Context<AppEnv>): AccountDeletionDeps => ({
  log: c.get("log"),
  db: dbOf(c),
  kv: c.env.KV,
  oauthKv: c.env.OAUTH_KV,
  config: c.get("config"),
  stripeEgress: c.env.STRIPE_API,
  runtime: c.env,
  now: c.get("clock").now(),
});

/** The `run_cancelled.reason` of runs stopped by an account deletion. */
export const ACCOUNT_DELETED = "Account deleted";

/** Stripe statuses after which nothing will be billed again. */
const ENDED_STATUSES = new Set(["canceled", "incomplete_expired"]);

/**
 * `DELETE /v1/users/me`. Deletion wins against the account's own requests in flight:
 * 1. The Stripe subscription is cancelled (a failure aborts with nothing changed).
 * 2. The tombstone `users.deleted_at` is set. From then on the account's API keys and tokens are
 *    refused, and every insert of a row it owns aborts inside its own statement (the triggers of
 *    migrations/0002_reliability.sql), so no write racing the deletion can commit after this.
 * 3. What the account owns is read (complete now: nothing can be added), its active runs are
 *    stopped like `hydra.kill` instant and erased, its IDEs' OAuth grants revoked, KV lookup records dropped, and one D1 batch
 *    deletes everything and leaves a `deleted_users` row. A failure in this step clears the
 *    tombstone again (nothing deleted; safe to retry).
 * 4. A sweep: the account is read again and deleted again if anything is left, KV records are
 *    dropped again (an MCP request may have rebuilt one meanwhile) and the runs are erased again
 *    (a run whose start raced its kill).
 */
export async function deleteAccount(deps: AccountDeletionDeps, userId: string) {
  const { db, kv, config } = deps;
  const billing = await getBillingRecord(db, userId);
  if (billing?.subscriptionId && !ENDED_STATUSES.has(billing.status ?? "")) {
    if (isStripeConfigured(config)) {
      await cancelSubscriptionNow(createStripeClient(config, deps.stripeEgress, deps.log), billing.subscriptionId);
    } else {
      deps.log.warn("cannot cancel subscription: Stripe is not configured", { userId, subscriptionId: billing.subscriptionId });
    }
  }
  const deletedAt = deps.now.toISOString();
  await db.update(users).set({ deletedAt }).where(eq(users.id, userId));
  let account: Awaited<ReturnType<typeof collectAccount>>;
  let stoppedRuns: number;
  try {
    // The user's rate limiter holds a copy of the user row (src/auth/account-cache.ts): from now on its tokens are refused.
    await forgetAccount(deps.runtime, userId);
    account = await collectAccount(db, kv, userId);
    stoppedRuns = await killActiveRuns(deps.runtime, db, userId, "instant", ACCOUNT_DELETED);
    // Before the D1 batch: the run ids come from D1, and erasing is idempotent if a retry is needed.
    await eraseRuns(deps.runtime, db, userId);
    await revokeOAuthGrants(deps.oauthKv, userId);
    await dropLookups(kv, account.deploymentIds);
    await runBatch(db, accountDeletionStatements(db, userId, account.workflowIds, account.deploymentIds, deletedAt));
  } catch (err) {
    await db.update(users).set({ deletedAt: null }).where(eq(users.id, userId));
    await forgetAccount(deps.runtime, userId);
    throw err;
  }
  await sweep(deps, userId, account, deletedAt);
  // Only the tombstone is left: a token issued from now on signs up a new account.
  await forgetAccount(deps.runtime, userId);
  // Other users' deployments just lost this account's workflows: re-render what they serve.
  await refreshDeployments(db, kv, account.otherDeploymentIds, deps.now);
  deps.log.info("account deleted", { userId, stats: account.stats, ...account.alsoDeleted, stoppedRuns });
  return { userId, deleted: true as const, deletedAt, stats: account.stats };
}

async function sweep(deps: AccountDeletionDeps, userId: string, before: Awaited<ReturnType<typeof collectAccount>>, deletedAt: string) {
  const { db, kv } = deps;
  const left = await collectAccount(db, kv, userId);
  const deploymentIds = [...new Set([...before.deploymentIds, ...left.deploymentIds])];
  if (left.workflowIds.length > 0 || left.deploymentIds.length > 0 || left.runIds.length > 0 || Object.values(left.stats).some((n) => n > 0)) {
    deps.log.warn("account deletion sweep found rows", { userId, stats: left.stats });
    await runBatch(db, accountDeletionStatements(db, userId, left.workflowIds, deploymentIds, deletedAt));
  }
  await dropLookups(kv, deploymentIds);
  await Promise.all([...new Set([...before.runIds, ...left.runIds])].map((id) => runStub(deps.runtime, id).erase(userId)));
}

const dropLookups = (kv: KVNamespace, deploymentIds: string[]) => Promise.all(deploymentIds.map((id) => deleteStoredRecord(kv, id)));

async function runBatch(db: Database, statements: BatchItem<"sqlite">[]) {
  const [first, ...rest] = statements;
  await db.batch([first!, ...rest]);
}
