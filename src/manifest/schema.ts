import { z } from "zod";
import { conditionProblem, conditionReferences } from "./condition";
import { findGraphProblems } from "./graph";


export const ACTIONS = [
  "code_agent", "research_agent", "planning_agent", "review_agent", "test_agent", "docs_agent",
  "custom_agent", "github_integration", "slack_integration", "notion_integration", "jira_integration",
  "linear_integration", "database_integration", "api_integration", "webhook_integration", "file_read",
  "file_write", "shell_execute", "search_codebase", "condition", "loop", "parallel", "human_input",
  "analyze_code", "edit_file", "edit_files", "generate_code", "generate_tests", "execute_command",
  "search_references", "design_architecture", "review_and_commit",
] as const;
export type Action = (typeof ACTIONS)[number];

export const ADAPTERS = ["claude", "cursor", "codex"] as const;
export type Adapter = (typeof ADAPTERS)[number];
export const adapterSchema = z.enum(ADAPTERS);

const STEP_ID = /^[a-z][a-z0-9_]*$/;

export const stepSchema = z.object({
  id: z.string().max(100).regex(STEP_ID, "step id must be snake_case (^[a-z][a-z0-9_]*$)"),
  name: z.string().min(1).max(200),
  action: z.enum(ACTIONS, { error: (issue) => `unknown action '${String(issue.input)}'` }),
  agent: z.string().max(100).optional(),
  depends_on: z.array(z.string()).max(100).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** CEL over `steps.<id>.outcome|output` and `run.intent`; checked at create/update time. */
  condition: z.string().min(1).max(1000).optional(),
  retry: z
    .object({
      max_attempts: z.number().int().min(1).max(10).optional(),
      backoff_seconds: z.number().min(0).max(3600).optional(),
    })
    .loose()
    .optional(),
  /** Bounds an LLM/HTTP call, and is the lease of a delegated action. */
  timeout_seconds: z.number().int().min(5).max(86_400).optional(),
});
export type Step = z.infer<typeof stepSchema>;

const adaptersSchema = z
  .object({
    claude: z
      .object({
        mode: z.enum(["sub_agent", "direct", "sequential", "parallel"]).optional(),
        config: z
          .object({
            spawn_agents_per_step: z.boolean().optional(),
            max_parallel_agents: z.number().int().min(1).max(32).optional(),
            context_window: z.enum(["standard", "extended"]).optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
    cursor: z.object({ mode: z.enum(["composer", "direct", "parallel"]).optional() }).loose().optional(),
    codex: z.object({ mode: z.enum(["function_calling", "direct"]).optional() }).loose().optional(),
  })
  .strict();

/** HMS v1.0, the one schema used by REST input, MCP rendering and the runtime planner. */
export const manifestSchema = z
  .object({
    $schema: z.string().optional(),
    manifest_version: z.literal("1.0", { error: 'manifest_version must be "1.0"' }),
    name: z.string().min(1).max(200),
    intent: z.string().max(500).optional(),
    context: z
      .object({
        repo: z.string().optional(),
        entrypoint: z.string().optional(),
        language: z.string().optional(),
        framework: z.string().optional(),
        connectors: z.array(z.string()).optional(),
      })
      .loose()
      .optional(),
    steps: z.array(stepSchema).min(1, "a manifest needs at least one step").max(200),
    outputs: z.record(z.string(), z.unknown()).optional(),
    adapters: adaptersSchema.optional(),
  })
  .superRefine(
    (manifest, ctx) => {
      const graphProblems = findGraphProblems(graphStepsOf(manifest.steps));
      for (const problem of graphProblems) {
        ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
      }
      if (graphProblems.length === 0) {
        for (const problem of conditionProblems(manifest.steps)) ctx.addIssue({ code: "custom", ...problem });
      }
    },
    // Runs even when a step has other problems (say an unknown action), so one response lists
    // every offending path, graph problems included, as long as the step ids can be read.
    { when: (payload) => graphStepsReadable((payload.value as { steps?: unknown } | undefined)?.steps) },
  );

function graphStepsReadable(steps: unknown): steps is { id: string; depends_on?: unknown }[] {
  return (
    Array.isArray(steps) &&
    steps.every((s) => typeof s === "object" && s !== null && typeof (s as { id?: unknown }).id === "string")
  );
}

/** A malformed `depends_on` already has its own issue, so that step takes part without dependencies. */
function graphStepsOf(steps: unknown): { id: string; depends_on?: string[] }[] {
  if (!graphStepsReadable(steps)) return [];
  return steps.map((s) => ({
    id: s.id,
    depends_on:
      Array.isArray(s.depends_on) && s.depends_on.every((d) => typeof d === "string") ? (s.depends_on as string[]) : [],
  }));
}

/**
 * Conditions must parse as boolean CEL and may read only other steps; the steps they read are
 * waited for like dependencies, so those edges must not close a cycle either.
 */
function conditionProblems(steps: unknown): { path: (string | number)[]; message: string }[] {
  if (!Array.isArray(steps)) return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  const ids = new Set(steps.map((s) => (s as { id?: unknown }).id));
  const withRefs = graphStepsOf(steps).map((s, i) => {
    const condition = (steps[i] as { condition?: unknown }).condition;
    if (typeof condition !== "string") return s;
    const path = ["steps", i, "condition"];
    const problem = conditionProblem(condition);
    if (problem) problems.push({ path, message: problem });
    const refs = conditionReferences(condition);
    for (const ref of refs) {
      if (!ids.has(ref)) problems.push({ path, message: `condition reads unknown step '${ref}'` });
      else if (ref === s.id) problems.push({ path, message: `condition of step '${s.id}' reads the step itself` });
    }
    return { id: s.id, depends_on: [...(s.depends_on ?? []), ...refs.filter((r) => ids.has(r) && r !== s.id)] };
  });
  if (problems.length === 0) {
    for (const cycle of findGraphProblems(withRefs)) {
      problems.push({ path: [...cycle.path.slice(0, 2), "condition"], message: `${cycle.message} (through a condition)` });
    }
  }
  return problems;
}

export type Manifest = z.infer<typeof manifestSchema>;

/** Adapter names as stored (validated on write, typed as strings by the database layer). */
export const storedAdapters = z.array(z.string()).describe(`Adapter names: ${ADAPTERS.join(", ")}`);
