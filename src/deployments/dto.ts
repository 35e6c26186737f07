import type { DeploymentRow } from "../db/schema";
import type { ServedWorkflow } from "./record";

export interface DeploymentUsageSummary {
  connectionsThisMonth: number;
  lastConnectedAt: string | null;
}

export function mcpEndpoint(baseUrl: string, deploymentId: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/mcp/${deploymentId}`;
}

export function toWorkflowRef(w: Pick<ServedWorkflow, "workflowId" | "name" | "version" | "isOwned">) {
  return { workflowId: w.workflowId, name: w.name, version: w.version, isOwned: w.isOwned };
}

export function toDeploymentDto(
  row: DeploymentRow,
  served: Pick<ServedWorkflow, "workflowId" | "name" | "version" | "isOwned">[],
  connectionsThisMonth: number,
  baseUrl: string,
) {
  return {
    deploymentId: row.id,
    name: row.name,
    description: row.description,
    workflows: served.map(toWorkflowRef),
    enabledAdapters: row.enabledAdapters,
    status: row.status,
    allowAnonymous: row.allowAnonymous,
    authMode: row.authMode,
    mcpEndpoint: mcpEndpoint(baseUrl, row.id),
    usage: { connectionsThisMonth, lastConnectedAt: row.lastConnectedAt } satisfies DeploymentUsageSummary,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
