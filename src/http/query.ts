import { z } from "zod";

/**
 * Query strings from forms and URL templates often carry empty parameters (`?category=&limit=`);
 * an empty value means "not given", so it falls back to the default instead of failing
 * validation.
 */
export function blankParamsAsAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (query) =>
      query && typeof query === "object"
        ? Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ""))
        : query,
    schema,
  );
}
