import { z } from "zod";
import { issueText, issuesOf, type FieldIssue } from "../http/validate";

/**
 * MCP tools as a table: each tool is `{ name, description, input, handler }`, where `input`
 * pairs a zod schema with the JSON Schema `tools/list` shows for it. `tools/call` validates
 * the arguments with the same zod schema, so what is advertised is what is accepted.
 */
export type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: true };

/** Hints for clients (2025-03-26 tool annotations); none of them is a security boundary. */
interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export type JsonObjectSchema = { type: "object"; properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

export interface ToolInput<S extends z.ZodType = z.ZodType> {
  schema: S;
  jsonSchema: JsonObjectSchema;
}

/**
 * Derives the tool's JSON Schema from its zod schema. Called where the input constant is
 * declared, so it runs once per isolate. `io: "input"` describes what a client sends (a field
 * with a default stays optional); `$schema` is dropped, as MCP tool schemas are bare objects.
 */
export function toolInput<S extends z.ZodType>(schema: S): ToolInput<S> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: "input" });
  if (json.type !== "object") throw new Error("A tool's input must be a JSON object schema");
  return { schema, jsonSchema: json as JsonObjectSchema };
}

/** A tool's arguments: an object (anything else is one clear message), extra keys ignored. */
export const toolArguments = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: "arguments must be an object" });

export interface Tool<C> {
  name: string;
  title?: string;
  description: string;
  input: ToolInput;
  annotations?: ToolAnnotations;
  handler: (args: never, ctx: C) => ToolResult | Promise<ToolResult>;
}

/** Declares a tool whose handler gets the arguments as its schema parses them. */
export const tool = <S extends z.ZodType, C>(def: Omit<Tool<C>, "input" | "handler"> & { input: ToolInput<S>; handler: (args: z.output<S>, ctx: C) => ToolResult | Promise<ToolResult> }) =>
  def as unknown as Tool<C>;

/** The `tools/list` entry of a tool. */
export function listing(t: Tool<never>) {
  return {
    name: t.name,
    ...(t.title === undefined ? {} : { title: t.title }),
    description: t.description,
    inputSchema: t.input.jsonSchema,
    ...(t.annotations === undefined ? {} : { annotations: t.annotations }),
  };
}

export type Refuse = (message: string, issues: FieldIssue[]) => ToolResult;

/**
 * Calls a tool with validated arguments. Input errors are tool results with `isError`
 * (2025-11-25, SEP-1303), so the model can correct itself; `refuse` words them per table.
 */
export async function callTool<C>(t: Tool<C>, args: unknown, ctx: C, refuse: Refuse): Promise<ToolResult> {
  const parsed = t.input.schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    return refuse(issueText(issues), issues);
  }
  return (t.handler as (args: unknown, ctx: C) => ToolResult | Promise<ToolResult>)(parsed.data, ctx);
}
