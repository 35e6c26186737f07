import type { PendingApproval, RunState } from "../types";

/**
 * The shape version of the state a run object stores. A change to `RunState` that an older
 * stored state would not satisfy bumps it and adds the upgrade step from the previous version
 * below, so a run started by older code resumes under newer code (objects outlive deploys).
 */
export const RUN_STATE_VERSION = 2;

/** A stored state of any version: the fields the upgrade steps read or fill in. */
export type StoredState = Omit<RunState, "version" | "pendingApprovals" | "actions" | "alarm"> & {
  version?: number;
  /** Version 1: at most one approval waited at a time. */
  pendingApproval?: PendingApproval | null;
  pendingApprovals?: RunState["pendingApprovals"];
  actions?: RunState["actions"];
  alarm?: RunState["alarm"];
};

/** upgrades[v] turns a version-v state into version v + 1, in place. */
const upgrades: Record<number, (s: StoredState) => void> = {
  // 1 → 2: several approvals and workstation actions at once, the DNS-over-HTTPS setting and the
  // alarm's kind; states stored before these existed (and before the version field) are version 1.
  1: (s) => {
    s.pendingApprovals ??= s.pendingApproval ? [s.pendingApproval] : [];
    delete s.pendingApproval;
    s.actions ??= [];
    s.alarm ??= null;
    s.settings.dohUrl ??= null;
  },
};

/** A stored state brought up to RUN_STATE_VERSION (written back with the run's next commit). */
export function upgradeRunState(stored: StoredState): RunState {
  for (let v = stored.version ?? 1; v < RUN_STATE_VERSION; v += 1) upgrades[v]!(stored);
  stored.version = RUN_STATE_VERSION;
  return stored as RunState;
}
