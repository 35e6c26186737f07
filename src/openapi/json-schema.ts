import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * The request side of a zod schema (what clients send, before transforms and defaults) as
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is. Transforms and refinements have no JSON
 * Schema form and are left out rather than failing the whole document.
 */
export function requestSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  return rest;
}

/** An object query schema as OpenAPI query parameters, one per property. */
export function queryParameters(schema: z.ZodType) {
  const json = requestSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: property,
  }));
}

/** `{param}` names of an OpenAPI path, as required path parameters. */
export function pathParameters(path: string) {
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
}
