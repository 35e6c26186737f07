import type { Action } from "../../manifest/schema";
import type { PlannedAction } from "../types";

interface Draft {
  name: string;
  action: Action;
  parameters?: Record<string, unknown>;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>`]+/gi;

/**
 * Deterministic plan from an intent, for when no LLM provider is configured (and tests): a
 * research step, then one step per recognised kind of work, chained in order.
 */
export function offlinePlan(intent: string): PlannedAction[] {
  const text = intent.toLowerCase();
  const drafts: Draft[] = [{ name: "Understand the request", action: "research_agent" }];

  if (/\b(bug|fix|error|crash|broken|failing)\b/.test(text)) {
    drafts.push({ name: "Find the root cause", action: "analyze_code" });
    drafts.push({ name: "Implement the fix", action: "code_agent" });
  } else if (/\b(implement|add|build|create|write|refactor|feature)\b/.test(text) && !/\bwrite (the )?(docs|documentation|tests?)\b/.test(text)) {
    drafts.push({ name: "Write the code", action: "generate_code" });
  }
  if (/\btests?\b/.test(text)) {
    drafts.push({ name: "Write tests", action: "generate_tests" });
    drafts.push({ name: "Run the tests", action: "execute_command", parameters: { command: "npm test" } });
  }
  for (const match of intent.matchAll(/`([^`]+)`/g)) {
    drafts.push({ name: `Run \`${match[1]!.trim()}\``, action: "shell_execute", parameters: { command: match[1]!.trim() } });
  }
  const bareDelete = /\brm\s+-[a-z]*\s+\S+/i.exec(intent);
  if (bareDelete && !intent.includes("`")) {
    drafts.push({ name: `Run \`${bareDelete[0]}\``, action: "shell_execute", parameters: { command: bareDelete[0] } });
  }
  for (const [url] of intent.matchAll(URL_PATTERN)) {
    const webhook = /\bwebhook|notify|post to\b/.test(text);
    drafts.push(
      webhook
        ? { name: `Notify ${url}`, action: "webhook_integration", parameters: { url, method: "POST", body: { intent } } }
        : { name: `Fetch ${url}`, action: "api_integration", parameters: { url, method: "GET" } },
    );
  }
  if (/\b(docs?|document|documentation|readme)\b/.test(text)) drafts.push({ name: "Update the documentation", action: "docs_agent" });
  if (/\b(commit|ship|merge|push)\b/.test(text)) drafts.push({ name: "Review and commit", action: "review_and_commit" });
  if (drafts.length === 1) drafts.push({ name: "Summarise the findings", action: "review_agent" });

  return drafts.map((draft, i) => ({
    key: `step_${i + 1}`,
    name: draft.name,
    action: draft.action,
    parameters: draft.parameters ?? {},
    dependsOn: i === 0 ? [] : [`step_${i}`],
    level: i,
  }));
}

/** The planner's own token count: a ~4-characters-per-token estimate of what it read and wrote. */
export function estimateTokens(...texts: string[]): number {
  return texts.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
}
