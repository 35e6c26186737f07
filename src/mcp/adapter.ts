import type { Context } from "hono";
import type { DeploymentRecord } from "../deployments/record";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { DEFAULT_ADAPTER, adapterForClient } from "./protocol";

/** `?adapter=claude|cursor|codex` on the MCP URL forces a rendering; anything else is 400. */
export function adapterOverride(c: Context<AppEnv>): Adapter | null {
  const value = c.req.query("adapter");
  if (value === undefined) return null;
  if (!(ADAPTERS as readonly string[]).includes(value)) {
    throw new ApiError("VALIDATION_ERROR", `adapter must be one of ${ADAPTERS.join(", ")}`, {
      issues: [{ path: "adapter", message: `unknown adapter '${value}'` }],
    });
  }
  return value as Adapter;
}

/** Unknown clients (Inspector, scripts) get the default adapter, or the first one enabled. */
function fallbackAdapter(record: DeploymentRecord): Adapter {
  return record.enabledAdapters.includes(DEFAULT_ADAPTER) ? DEFAULT_ADAPTER : (record.enabledAdapters[0] as Adapter);
}

export interface ServedAdapter {
  adapter: Adapter;
  /** The adapter the client asked for (URL or client name) when it is disabled here. */
  disabled?: Adapter;
}

/**
 * The rendering a connection gets: `?adapter=`, else the client's name, else the fallback.
 * A disabled adapter is not refused: clients show a refused connection as "check your token"
 * (Claude Code) or not at all, so the connection is served with an enabled adapter and the
 * instructions say what happened and how to pick another.
 */
export function serveAdapter(record: DeploymentRecord, wanted: Adapter | null): ServedAdapter {
  if (wanted === null) return { adapter: fallbackAdapter(record) };
  if (record.enabledAdapters.includes(wanted)) return { adapter: wanted };
  return { adapter: fallbackAdapter(record), disabled: wanted };
}

export const wantedAdapter = (c: Context<AppEnv>, clientName: unknown): Adapter | null => adapterOverride(c) ?? adapterForClient(clientName);

/** The server `instructions` of initialize and server/discover (models read them). */
export function instructionsFor(record: DeploymentRecord, served: ServedAdapter): string {
  const names = record.workflows.map((w) => w.promptName).join(", ") || "none";
  const lines = [
    `Hydra deployment "${record.name}" (adapter: ${served.adapter}). Workflows: ${names}.`,
    "Use a prompt, or the tool workflow_<name>, to get a workflow's instructions. Pass the user's whole task to the tool.",
  ];
  if (served.disabled) {
    const choices = record.enabledAdapters.map((a) => `?adapter=${a}`).join(" or ");
    lines.push(
      `Note for the user: this client maps to the ${served.disabled} adapter, which is disabled on this deployment, so it gets the ${served.adapter} rendering instead. To choose, add ${choices} to the server URL, or ask the deployment's owner to enable ${served.disabled}.`,
    );
  }
  return lines.join("\n");
}
