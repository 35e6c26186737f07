import { dependencyLevels } from "../../manifest/graph";
import type { ManifestStepInput, PlannedAction } from "../types";

/** A manifest's steps in dependency order; steps on one level may run in parallel. */
export function manifestPlan(steps: ManifestStepInput[]): PlannedAction[] {
  return dependencyLevels(steps).flatMap((level, depth) =>
    level.map((step) => ({
      key: step.id,
      name: step.name,
      action: step.action,
      parameters: step.parameters ?? {},
      dependsOn: step.depends_on ?? [],
      level: depth,
    })),
  );
}
