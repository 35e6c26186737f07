import { Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeploymentRecord } from "../src/deployments/record";
import { RUN_TOOLS } from "../src/mcp/run-tools";
import { listing, type Tool } from "../src/mcp/tool-table";
import { deploymentTools } from "../src/mcp/tools";

/** Just what the tool table reads from a deployment record. */
const record = {
  workflows: [{ promptName: "bug_fix_workflow", name: "Bug Fix Workflow", version: "1.0.0", workflowId: "wf_1", manifest: { intent: "Fix a bug", steps: [] } }],
} as unknown as DeploymentRecord;

const TOOLS: Tool<never>[] = [...deploymentTools(record), ...RUN_TOOLS] as Tool<never>[];

type PropertySchema = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number };

/** Values a model might send for a property: ones its JSON Schema allows, and ones it does not. */
function valuesFor(prop: PropertySchema): fc.Arbitrary<unknown> {
  const wrong = fc.constantFrom<unknown>(null, true, 7, -1, 26.5, "", "x", [], {}, ["a"], { a: 1 });
  const fitting =
    prop.enum !== undefined
      ? fc.constantFrom(...prop.enum)
      : prop.type === "number"
        ? fc.double({ min: (prop.minimum ?? -1e6) - 5, max: (prop.maximum ?? 1e6) + 5, noNaN: true, noDefaultInfinity: true })
        : fc.oneof(fc.string({ maxLength: 20 }), fc.constant("y".repeat(prop.maxLength ?? 10) + "z"));
  return fc.oneof({ weight: 3, arbitrary: fitting }, { weight: 1, arbitrary: wrong });
}

describe("MCP tool table: inputSchema derived from the zod input", () => {
  it("lists object schemas that clients accept: type object, properties, required among them, no $schema", () => {
    // Three fixed tools, one per workflow, five run tools; names are unique (tools/call finds by name).
    expect(TOOLS).toHaveLength(9);
    expect(new Set(TOOLS.map((t) => t.name)).size).toBe(TOOLS.length);
    for (const t of TOOLS) {
      const { inputSchema } = listing(t);
      expect(inputSchema.type, t.name).toBe("object");
      expect(inputSchema.$schema, t.name).toBeUndefined();
      expect(inputSchema.properties, t.name).toBeTypeOf("object");
      for (const key of inputSchema.required ?? []) expect(Object.keys(inputSchema.properties!), t.name).toContain(key);
      for (const [key, prop] of Object.entries(inputSchema.properties!)) {
        const p = prop as PropertySchema;
        expect(p.type !== undefined || p.enum !== undefined, `${t.name}.${key}`).toBe(true);
      }
    }
  });

  it("keeps the shapes clients have been given", () => {
    const byName = Object.fromEntries(TOOLS.map((t) => [t.name, listing(t).inputSchema]));
    expect(byName.list_workflows).toEqual({ type: "object", properties: {} });
    expect(byName.get_workflow).toEqual({
      type: "object",
      properties: { workflowId: { type: "string", description: "workflowId or prompt name (see list_workflows)" } },
      required: ["workflowId"],
    });
    expect(byName.render_workflow).toMatchObject({
      properties: { adapter: { type: "string", enum: ["claude", "cursor", "codex"] }, task: { type: "string" } },
      required: ["workflowId"],
    });
    expect(byName.workflow_bug_fix_workflow).toEqual({ type: "object", properties: { task: { type: "string", description: "What to apply the workflow to" } } });
    expect(byName.next_action).toMatchObject({ properties: { wait_seconds: { type: "number", minimum: 0, maximum: 25 } }, required: ["run_id"] });
    expect(byName.report_action).toMatchObject({ properties: { outcome: { enum: ["succeeded", "failed"] } }, required: ["action_id", "outcome"] });
    expect(byName.start_run).toMatchObject({ properties: { task: { maxLength: 4000 } }, required: ["workflow"] });
  });

  for (const t of TOOLS) {
    it(`${t.name}: the advertised JSON Schema and the zod schema tools/call uses agree on every argument object`, () => {
      const { inputSchema } = listing(t);
      const validator = new Validator(inputSchema as object, "2020-12", false);
      const properties = inputSchema.properties as Record<string, PropertySchema>;
      const args = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, prop]) => [key, valuesFor(prop)])),
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(args, (value) => {
          const advertised = validator.validate(value).valid;
          const accepted = t.input.schema.safeParse(value).success;
          expect(accepted, JSON.stringify(value)).toBe(advertised);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("names what is wrong in the words the tools have always used", () => {
    const byName = Object.fromEntries(TOOLS.map((t) => [t.name, t]));
    const messages = (name: string, value: unknown) => {
      const parsed = byName[name]!.input.schema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
    };
    expect(messages("get_workflow", {})).toEqual(["Missing required argument 'workflowId' (a workflowId or prompt name); call list_workflows for them"]);
    // Agents guess the argument's name: `workflow`, `name` and `prompt` are taken for workflowId.
    for (const alias of ["workflow", "name", "prompt"]) expect(messages("get_workflow", { [alias]: "bug_fix_workflow" })).toEqual([]);
    expect(messages("workflow_bug_fix_workflow", { task: 5 })).toEqual(["task must be a string"]);
    expect(messages("workflow_bug_fix_workflow", [1])).toEqual(["arguments must be an object"]);
    expect(messages("render_workflow", { workflowId: "x", adapter: "vim" })).toEqual(["adapter must be one of claude, cursor, codex"]);
    expect(messages("next_action", {})).toEqual(["run_id is required"]);
  });
});
