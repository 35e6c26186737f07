import type { RenderedWorkflow } from "../manifest/render";
import type { Adapter, Manifest } from "../manifest/schema";
import { ADAPTERS } from "../manifest/schema";
import type { DeploymentRow } from "../db/schema";
import type { AdapterPromptsContent } from "./prompt-rendering";

/**
 * The shape of a deployment's lookup record (everything `/mcp/{deploymentId}` needs, in one KV
 * value), the projection that builds it from D1's rows, and the upgrade of older shapes.
 * Storing, loading and caching it: `record-store.ts`, `record-loader.ts`, `record-cache.ts`.
 */

/** A workflow as one deployment serves it: at the version the owner's library says. */
export interface ServedWorkflow {
  workflowId: string;
  name: string;
  version: string;
  isOwned: boolean;
  /** Unique within the deployment: the MCP prompt name. */
  promptName: string;
  description: string | null;
  manifest: Manifest;
}

export interface DeploymentRecord {
  v: 1;
  deploymentId: string;
  ownerId: string;
  name: string;
  description: string | null;
  status: "active" | "inactive";
  allowAnonymous: boolean;
  /** Absent in records written before OAuth sign-in existed: read it with `authModeOf`. */
  authMode?: "header" | "oauth";
  enabledAdapters: Adapter[];
  workflows: ServedWorkflow[];
  /** Index-aligned with `workflows`. */
  rendered: Record<Adapter, RenderedWorkflow[]>;
}

export const authModeOf = (record: DeploymentRecord): "header" | "oauth" => record.authMode ?? "oauth";

/**
 * A value read from KV as the current shape, or null for a shape this code cannot serve (the
 * caller rebuilds it from D1). Version 1 records without `authMode` are served as they are
 * (`authModeOf` fills it in), so no rewrite is needed for them.
 */
export function upgradeRecord(value: unknown): DeploymentRecord | null {
  const record = value as Partial<DeploymentRecord> | null;
  return record && record.v === 1 ? (record as DeploymentRecord) : null;
}

export function buildRecord(row: DeploymentRow, contents: Record<Adapter, AdapterPromptsContent>): DeploymentRecord {
  const rendered = {} as Record<Adapter, RenderedWorkflow[]>;
  for (const adapter of ADAPTERS) {
    rendered[adapter] = contents[adapter].workflows.map((w) => (w.functions ? { text: w.text, functions: w.functions } : { text: w.text }));
  }
  return {
    v: 1,
    deploymentId: row.id,
    ownerId: row.ownerId,
    name: row.name,
    description: row.description,
    status: row.status,
    allowAnonymous: row.allowAnonymous,
    authMode: row.authMode,
    enabledAdapters: ADAPTERS.filter((a) => row.enabledAdapters.includes(a)),
    workflows: contents.claude.workflows.map(({ text: _t, functions: _f, ...served }) => served),
    rendered,
  };
}
