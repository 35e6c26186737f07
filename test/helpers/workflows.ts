import { expect } from "vitest";
import { api } from "./http";
import { bugFixManifest, workflowBody } from "./fixtures";

/** Creates a workflow through the API and returns its detail (fails the test on any error). */
export async function createWorkflow(token: string, overrides: Record<string, unknown> = {}) {
  const res = await api("POST", "/v1/workflows", { token, body: workflowBody(overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { workflowId: string; name: string; currentVersion: string; ownerId: string; [k: string]: any };
}

export async function updateWorkflow(token: string, workflowId: string, body: Record<string, unknown>) {
  const res = await api("PUT", `/v1/workflows/${workflowId}`, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** A manifest whose first step has the given name, so versions can be told apart. */
export function manifestWithFirstStep(stepName: string, name = "Bug Fix Workflow") {
  const manifest = bugFixManifest(name);
  manifest.steps[0]!.name = stepName;
  return manifest;
}

export async function getWorkflow(token: string, workflowId: string) {
  const res = await api("GET", `/v1/workflows/${workflowId}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}
