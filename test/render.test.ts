import { describe, expect, it } from "vitest";
import { renderWorkflow } from "../src/manifest/render";
import { manifestSchema } from "../src/manifest/schema";
import { bugFixManifest } from "./helpers/fixtures";

const fanOut = manifestSchema.parse({
  manifest_version: "1.0",
  name: "Code Review",
  context: { repo: "acme/web", connectors: ["github"], team: "core" },
  steps: [
    { id: "analyze", name: "Analyze", action: "analyze_code" },
    { id: "security", name: "Security review", action: "review_agent", agent: "security", depends_on: ["analyze"] },
    { id: "performance", name: "Performance review", action: "review_agent", depends_on: ["analyze"] },
    { id: "summary", name: "Summary", action: "docs_agent", depends_on: ["security", "performance"], parameters: { format: "markdown", max_items: 10 } },
  ],
  adapters: { claude: { mode: "sub_agent", config: { max_parallel_agents: 2 } } },
});

describe("adapter renderers", () => {
  it("tell the agent to drive a tracked run with the run tools, never to approve", () => {
    const manifest = manifestSchema.parse(bugFixManifest());
    for (const adapter of ["claude", "cursor", "codex"] as const) {
      const { text } = renderWorkflow(adapter, manifest);
      for (const tool of ["start_run", "next_action", "report_action", "run_status"]) expect(text).toContain(tool);
      expect(text).toContain("never approve yourself");
    }
  });

  it("are deterministic", () => {
    const manifest = manifestSchema.parse(bugFixManifest());
    for (const adapter of ["claude", "cursor", "codex"] as const) {
      expect(renderWorkflow(adapter, manifest)).toEqual(renderWorkflow(adapter, structuredClone(manifest)));
    }
  });

  it("claude: orchestrator prompt with stages, sub-agents and the parallel limit", () => {
    const { text } = renderWorkflow("claude", fanOut);
    expect(text.startsWith('You are the orchestrator for the workflow "Code Review".')).toBe(true);
    expect(text).toContain("- repo: acme/web\n- connectors: github\n- team: core");
    expect(text).toMatch(/Stage 2:\n- \[security\] Security review\n  - sub-agent: security \(action: review_agent\)/);
    expect(text).toContain("Stage 3:\n- [summary] Summary");
    expect(text).toContain("at most 2 sub-agents at a time");
  });

  it("cursor: a checklist in dependency order", () => {
    const { text } = renderWorkflow("cursor", fanOut);
    const items = text.split("\n").filter((l) => l.startsWith("- [ ]"));
    expect(items.map((l) => /`(\w+)`/.exec(l)![1])).toEqual(["analyze", "security", "performance", "summary"]);
  });

  it("codex: one function per step with JSON-schema parameters", () => {
    const { functions } = renderWorkflow("codex", fanOut);
    expect(functions!.map((f) => f.name)).toEqual(["analyze", "security", "performance", "summary"]);
    expect(functions![3]).toEqual({
      name: "summary",
      description: "Summary (docs_agent). Call after: security, performance.",
      parameters: {
        type: "object",
        properties: {
          format: { type: "string", default: "markdown" },
          max_items: { type: "integer", default: 10 },
          notes: { type: "string", description: "What you found or changed in this step" },
        },
        required: [],
        additionalProperties: true,
      },
    });
  });
});
