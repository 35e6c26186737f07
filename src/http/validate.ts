import type { Context, MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError } from "../errors";
import { limitDetails, readBoundedJson } from "./json-limits";

export interface FieldIssue {
  path: string;
  message: string;
}

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The issues' messages as one line, for clients that show a message rather than data. */
export const issueText = (issues: FieldIssue[]): string => issues.map((i) => i.message).join("; ");

export function issuesOf(error: z.ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

export function validationError(issues: FieldIssue[], message = "Request validation failed"): ApiError {
  return new ApiError("VALIDATION_ERROR", message, { issues });
}

/** Parses with zod and throws the one VALIDATION_ERROR shape, listing every offending path. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where?: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(issuesOf(result.error, where ? [where] : []));
  return result.data;
}

/**
 * Reads a JSON body through the bounded reader; a missing, malformed, oversized or too deeply
 * nested body is a 4xx in the one envelope (naming the limit), never a 500.
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  const read = readBoundedJson(text, { maxBytes: c.get("config").MAX_BODY_BYTES });
  if (read.ok) return read.value;
  if (read.reason === "too_large") throw new ApiError("PAYLOAD_TOO_LARGE", read.message, limitDetails(read));
  const issue = read.reason === "too_deep" ? `nesting depth exceeds ${read.maxDepth} (MAX_JSON_DEPTH)` : "malformed JSON";
  throw new ApiError("VALIDATION_ERROR", read.message, { issues: [{ path: "(body)", message: issue }], ...limitDetails(read) });
}

type Target = Extract<keyof ValidationTargets, "json" | "query" | "param">;

/**
 * Hono validator that feeds zod and the one error envelope. `c.req.valid(target)` is typed
 * by the schema's output.
 */
export function validate<T extends z.ZodType, Tg extends Target>(
  target: Tg,
  schema: T | ((c: Context<any>) => T),
): MiddlewareHandler<any, string, { in: { [K in Tg]: z.input<T> }; out: { [K in Tg]: z.output<T> } }> {
  if (typeof schema === "function") {
    const schemaOf = schema;
    return (async (c: Context, next: () => Promise<void>) => validate(target, schemaOf(c))(c, next)) as never;
  }
  if (target === "json") {
    // Hono's own json target would reject malformed JSON with its own error shape first.
    return (async (c: Context, next: () => Promise<void>) => {
      c.req.addValidatedData("json", parseOrThrow(schema, await readJson(c)) as object);
      await next();
    }) as never;
  }
  if (target === "query") {
    return validator("query" as never, (value) => parseOrThrow(schema, withoutBlankParams(value))) as never;
  }
  return validator(target as never, (value) => parseOrThrow(schema, value)) as never;
}

/**
 * Query strings from forms and URL templates often carry empty parameters (`?category=&limit=`):
 * an empty value means "not given", so every listing falls back to its default.
 */
function withoutBlankParams(query: unknown): unknown {
  if (!query || typeof query !== "object") return query;
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ""));
}
