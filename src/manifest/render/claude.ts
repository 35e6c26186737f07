import { dependencyLevels } from "../graph";
import type { Manifest } from "../schema";
import { trackedRunLines, contextLines, dependsText, outputsLines, parameterLines, stepExtras } from "./common";

/** Claude: one orchestrator prompt that delegates each step to a sub-agent (HMS "sub_agent" mode). */
export function renderClaudePrompt(manifest: Manifest): string {
  const settings = manifest.adapters?.claude;
  const mode = settings?.mode ?? "sub_agent";
  const spawnPerStep = settings?.config?.spawn_agents_per_step ?? true;
  const maxParallel = settings?.config?.max_parallel_agents ?? 3;
  const delegate = mode !== "direct" && spawnPerStep;

  const out: string[] = [`You are the orchestrator for the workflow "${manifest.name}".`];
  if (manifest.intent) out.push("", `Intent: ${manifest.intent}`);
  const context = contextLines(manifest);
  if (context.length) out.push("", "Context:", ...context);

  out.push("", "Steps (dependency order; steps in the same stage may run in parallel):");
  dependencyLevels(manifest.steps).forEach((level, i) => {
    out.push(`Stage ${i + 1}:`);
    for (const step of level) {
      const agent = step.agent ?? step.action;
      out.push(`- [${step.id}] ${step.name}`);
      out.push(`  - sub-agent: ${agent} (action: ${step.action})`);
      out.push(`  - depends on: ${dependsText(step)}`);
      const params = parameterLines(step, "    ");
      if (params.length) out.push("  - parameters:", ...params);
      out.push(...stepExtras(step, "  "));
    }
  });

  const outputs = outputsLines(manifest);
  if (outputs.length) out.push("", "Expected outputs:", ...outputs);

  out.push("", "How to proceed:");
  if (delegate) {
    out.push(
      "1. For each step, spawn a sub-agent (Task tool) with the step's name, parameters and the results of the steps it depends on.",
      `2. Run the steps of one stage in parallel, at most ${maxParallel} sub-agents at a time; start a stage only when the previous one has finished.`,
    );
  } else {
    out.push(
      "1. Carry out each step yourself, in the order given.",
      "2. Use the results of earlier steps as input to the steps that depend on them.",
    );
  }
  out.push(
    "3. If a step fails, retry it as allowed, otherwise stop and explain what blocked it.",
    "4. When done, report per step id: status (done / skipped / failed) and a one-line result, then the overall outcome.",
  );
  out.push("", ...trackedRunLines(manifest));
  return out.join("\n");
}
