import type { Action } from "../manifest/schema";
import type { RiskDecision } from "./types";

/** Gate thresholds (docs/runtime.md): below NOTICE proceed, below APPROVAL notice, below BLOCK ask, else block. */
export const RISK_NOTICE = 0.3;
export const RISK_APPROVAL = 0.5;
export const RISK_BLOCK = 0.9;

/** Base risk per action type; documented as a table in docs/runtime.md. */
export const ACTION_RISK: Record<Action, { score: number; reason: string }> = {
  // Reads, searches, analysis and control flow: < 0.3
  file_read: { score: 0.1, reason: "Reads files" },
  search_codebase: { score: 0.1, reason: "Searches the codebase" },
  search_references: { score: 0.1, reason: "Searches references" },
  research_agent: { score: 0.1, reason: "Research and analysis" },
  planning_agent: { score: 0.1, reason: "Planning" },
  analyze_code: { score: 0.15, reason: "Code analysis" },
  review_agent: { score: 0.15, reason: "Review without writing" },
  design_architecture: { score: 0.2, reason: "Design work" },
  condition: { score: 0.05, reason: "Control flow" },
  loop: { score: 0.05, reason: "Control flow" },
  parallel: { score: 0.05, reason: "Control flow" },
  human_input: { score: 0.1, reason: "Asks a human" },
  // Code generation and edits: 0.3–0.5 (proceed with a notice)
  docs_agent: { score: 0.3, reason: "Writes documentation" },
  generate_code: { score: 0.35, reason: "Generates code" },
  generate_tests: { score: 0.35, reason: "Generates tests" },
  test_agent: { score: 0.35, reason: "Writes and runs tests" },
  code_agent: { score: 0.4, reason: "Edits code" },
  custom_agent: { score: 0.4, reason: "Custom agent with unknown effects" },
  edit_file: { score: 0.4, reason: "Edits a file" },
  edit_files: { score: 0.45, reason: "Edits several files" },
  file_write: { score: 0.45, reason: "Writes files" },
  // Commands, commits and external writes: 0.5–0.9 (approval required)
  execute_command: { score: 0.6, reason: "Executes a command on the workstation" },
  shell_execute: { score: 0.7, reason: "Executes a shell command" },
  review_and_commit: { score: 0.65, reason: "Commits changes to the repository" },
  github_integration: { score: 0.6, reason: "Writes to GitHub" },
  slack_integration: { score: 0.55, reason: "Posts to Slack" },
  notion_integration: { score: 0.55, reason: "Writes to Notion" },
  jira_integration: { score: 0.55, reason: "Writes to Jira" },
  linear_integration: { score: 0.55, reason: "Writes to Linear" },
  database_integration: { score: 0.7, reason: "Writes to a database" },
  api_integration: { score: 0.6, reason: "Calls an external API that may write" },
  webhook_integration: { score: 0.6, reason: "Sends a webhook to an external system" },
};

/** Parameters that make any action destructive: scored at least 0.95 and blocked. */
const DESTRUCTIVE_PATTERNS: { pattern: RegExp; reason: string }[] = [
  { pattern: /\brm\s+(-[a-z]*r[a-z]*f|-[a-z]*f[a-z]*r|--recursive\s+--force|--force\s+--recursive)\b/i, reason: "Recursive forced delete (rm -rf)" },
  { pattern: /\bgit\s+push\b[^\n]*(--force\b|--force-with-lease\b|\s-f\b|\s\+\S)/i, reason: "Force push rewrites shared history" },
  { pattern: /\bgit\s+reset\s+--hard\b/i, reason: "Hard reset discards work" },
  { pattern: /\bdrop\s+(table|database|schema)\b/i, reason: "Drops data" },
  { pattern: /\btruncate\s+(table\s+)?\w+/i, reason: "Truncates data" },
  { pattern: /\bdelete\s+from\s+\w+\s*(;|$)/i, reason: "Deletes every row" },
  { pattern: /\bmkfs(\.\w+)?\b|\bdd\s+if=.*\bof=\/dev\//i, reason: "Overwrites a disk" },
  { pattern: /:\(\)\s*\{\s*:\|:&\s*\};:/, reason: "Fork bomb" },
];

/** Scores one action from its type and parameters, and picks its gate. */
export function scoreRisk(action: Action, parameters: Record<string, unknown>): RiskDecision {
  const base = ACTION_RISK[action];
  let score = base.score;
  let reason = base.reason;

  if (action === "api_integration") {
    const method = String(parameters.method ?? "GET").toUpperCase();
    if (method === "GET" || method === "HEAD") {
      score = 0.2;
      reason = "Reads from an external API";
    } else if (method === "DELETE") {
      score = 0.8;
      reason = "Deletes through an external API";
    }
  }

  // Scored on what the step will do, not on what it is called: a "read" carrying a destructive
  // command is as dangerous as a shell step (the workstation may well run it).
  const text = JSON.stringify(parameters);
  for (const { pattern, reason: destructive } of DESTRUCTIVE_PATTERNS) {
    if (pattern.test(text)) {
      score = Math.max(score, 0.95);
      reason = destructive;
      break;
    }
  }
  return { score, reason, gate: gateFor(score) };
}

export function gateFor(score: number): RiskDecision["gate"] {
  if (score < RISK_NOTICE) return "proceed";
  if (score < RISK_APPROVAL) return "notice";
  if (score < RISK_BLOCK) return "approval";
  return "block";
}
