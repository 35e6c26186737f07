import { dependencyLevels } from "../../manifest/graph";
import type { ManifestStepInput, PlannedAction } from "../types";

/** A manifest's steps in dependency order, with their condition, retry policy and timeout. */
export function manifestPlan(steps: ManifestStepInput[]): PlannedAction[] {
  return dependencyLevels(steps).flatMap((level, depth) =>
    level.map((step) => ({
      key: step.id,
      name: step.name,
      action: step.action,
      parameters: step.parameters ?? {},
      dependsOn: step.depends_on ?? [],
      level: depth,
      ...(step.condition ? { condition: step.condition } : {}),
      ...(step.retry ? { retry: { maxAttempts: step.retry.max_attempts ?? 1, backoffSeconds: step.retry.backoff_seconds ?? 0 } } : {}),
      ...(step.timeout_seconds ? { timeoutSeconds: step.timeout_seconds } : {}),
    })),
  );
}
