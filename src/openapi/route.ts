import { OpenAPIHono, z, type Hook } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import { issuesOf, validate, validationError } from "../http/validate";
import { ERROR_ENVELOPE_REF, errorResponseRef, rateLimitHeaderRefs } from "./components";

/** zod-openapi's own validators (path parameters) report through the one envelope. */
const throwValidationError: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) throw validationError(issuesOf(result.error));
};

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * A REST router: `.openapi(createRoute(...), handler)` registers the route and its documentation
 * at once, so `/openapi.json` is derived from the routes. Path parameters are validated by
 * zod-openapi (errors through the hook above); bodies and queries by the API's own reader
 * (`src/http/validate.ts`), which zod-openapi's would change: an empty body reads as `{}`,
 * malformed JSON is a VALIDATION_ERROR on `(body)`, the body is JSON whatever its Content-Type,
 * and a blank query parameter counts as not given.
 */
export function restRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: throwValidationError });
  const register = router.openapi;
  router.openapi = ((route, handler, hook) => {
    const { middleware, hide, ...documented } = route;
    const { body, query, ...others } = documented.request ?? {};
    const { perRequest, ...documentedBody } = (body ?? {}) as ReturnType<typeof jsonBody>;
    if (!hide) router.openAPIRegistry.registerPath(body ? { ...documented, request: { ...documented.request, body: documentedBody } } : documented);
    const bodySchema = perRequest ?? (body?.content["application/json"] as { schema?: unknown } | undefined)?.schema;
    const validators: MiddlewareHandler[] = [
      ...asArray(middleware as MiddlewareHandler | MiddlewareHandler[] | undefined),
      ...(query ? [validate("query", query)] : []),
      ...(bodySchema ? [validate("json", bodySchema as z.ZodType)] : []),
    ];
    return register({ ...documented, request: others, hide: true, middleware: validators } as typeof route, handler, hook);
  }) as typeof register;
  return router;
}

/**
 * A required JSON request body. `perRequest` validates instead of `schema` where the rules depend
 * on the server's configuration (billing redirect URLs); `schema` is then what the document shows.
 */
export const jsonBody = <T extends z.ZodType>(schema: T, perRequest?: (c: Context<AppEnv>) => z.ZodType) => ({
  required: true,
  content: { "application/json": { schema } },
  perRequest,
});

export const paginationSchema = z
  .object({
    nextCursor: z.string().nullable().describe("Opaque; pass as `cursor` for the next page"),
    hasMore: z.boolean(),
    count: z.number().int(),
  })
  .openapi("Pagination");

/** `{success: true, data}` with the given data schema, as a documented response. */
export function success<T extends z.ZodType>(description: string, data: T, options: { rateLimited?: boolean } = {}) {
  return {
    description,
    headers: options.rateLimited === false ? undefined : rateLimitHeaderRefs(),
    content: { "application/json": { schema: z.object({ success: z.literal(true), data }) } },
  };
}

/** A list page: `{success: true, data: [...], pagination}`. */
export function page<T extends z.ZodType>(description: string, item: T) {
  return {
    description,
    headers: rateLimitHeaderRefs(),
    content: { "application/json": { schema: z.object({ success: z.literal(true), data: z.array(item), pagination: paginationSchema }) } },
  };
}

/** What every authenticated, rate-limited /v1 route can fail with. */
const V1_ERRORS: ErrorCode[] = ["UNAUTHORIZED", "RATE_LIMITED", "INTERNAL_ERROR"];

/**
 * A route's error responses, by status: the /v1 baseline plus the codes given. Codes sharing a
 * status (503) become one response that names each code.
 */
export function errors(...codes: ErrorCode[]) {
  return errorResponses([...V1_ERRORS, ...codes]);
}

/** Error responses of a route outside the /v1 chain: only the codes given. */
export function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].sort(([a], [b]) => a - b).map(([status, same]) => [
      status,
      same.length === 1
        ? { $ref: errorResponseRef(same[0]!) }
        : { description: same.join(" or "), content: { "application/json": { schema: { $ref: ERROR_ENVELOPE_REF } } } },
    ]),
  ) as Record<number, { $ref: string } | { description: string; content: { "application/json": { schema: { $ref: string } } } }>;
}

/** Path parameters as strings, named as in the OpenAPI path. */
export const idParams = <K extends string>(...names: K[]) =>
  z.object(Object.fromEntries(names.map((name) => [name, z.string()])) as { [P in K]: z.ZodString });
