export function bugFixManifest(name = "Bug Fix Workflow") {
  return {
    $schema: "https://hydra.opiusai.com/schemas/workflow/v1.0.json",
    manifest_version: "1.0",
    name,
    intent: "Find and fix a bug with a regression test",
    context: { language: "typescript" },
    steps: [
      { id: "understand_bug", name: "Understand the bug", action: "research_agent" },
      { id: "find_root_cause", name: "Find root cause", action: "analyze_code", depends_on: ["understand_bug"] },
      { id: "implement_fix", name: "Implement fix", action: "code_agent", depends_on: ["find_root_cause"] },
      { id: "write_tests", name: "Write tests", action: "generate_tests", depends_on: ["implement_fix"] },
      { id: "run_tests", name: "Run tests", action: "execute_command", depends_on: ["write_tests"], parameters: { command: "npm test" } },
      { id: "review_and_commit", name: "Review and commit", action: "review_and_commit", depends_on: ["run_tests"] },
    ],
  };
}

export function workflowBody(overrides: Record<string, unknown> = {}) {
  const name = (overrides.name as string | undefined) ?? "Bug Fix Workflow";
  return {
    name,
    description: "Find and fix bugs",
    manifest: bugFixManifest(name),
    visibility: "private",
    category: "development",
    tags: ["bug-fix", "testing"],
    ...overrides,
  };
}
