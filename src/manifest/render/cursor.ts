import { topologicalOrder } from "../graph";
import type { Manifest } from "../schema";
import { trackedRunLines, contextLines, dependsText, outputsLines, parameterLines, stepExtras } from "./common";

/** Cursor: a composer-style prompt whose steps are a checklist to tick off in order. */
export function renderCursorPrompt(manifest: Manifest): string {
  const out: string[] = [`# ${manifest.name}`];
  if (manifest.intent) out.push("", `Goal: ${manifest.intent}`);
  const context = contextLines(manifest);
  if (context.length) out.push("", "## Context", ...context);

  out.push("", "## Checklist", "Work through the items in order in Composer; tick each one when it is done.");
  for (const step of topologicalOrder(manifest.steps)) {
    out.push(`- [ ] **${step.name}** (\`${step.id}\`, ${step.action}${step.agent ? `, agent: ${step.agent}` : ""})`);
    if (step.depends_on?.length) out.push(`  - after: ${dependsText(step)}`);
    out.push(...parameterLines(step, "  "));
    out.push(...stepExtras(step, ""));
  }

  const outputs = outputsLines(manifest);
  if (outputs.length) out.push("", "## Expected outputs", ...outputs);
  out.push("", "## When done", "Summarise the changes per checklist item and list anything left open.");
  out.push("", "## Tracked run", ...trackedRunLines(manifest));
  return out.join("\n");
}
