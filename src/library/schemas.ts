import { z } from "zod";
import { pageQuery } from "../http/pagination";
import { adapterSchema } from "../manifest/schema";

const booleanParam = z
  .enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' })
  .transform((v) => v === "true" || v === "1");

export const listLibraryQuery = pageQuery.extend({
  activeOnly: booleanParam.default(false),
});

const enabledAdapters = z
  .array(adapterSchema)
  .min(1, "enable at least one adapter")
  .transform((adapters) => [...new Set(adapters)]);

export const addToLibraryBody = z.object({
  enabledAdapters: enabledAdapters.optional(),
  autoUpdate: z.boolean().optional(),
});

export const updateLibraryEntryBody = z
  .object({
    isActive: z.boolean().optional(),
    enabledAdapters: enabledAdapters.optional(),
    autoUpdate: z.boolean().optional(),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: "the body must change at least one of isActive, enabledAdapters, autoUpdate",
  });

export type ListLibraryQuery = z.infer<typeof listLibraryQuery>;
export type AddToLibraryInput = z.infer<typeof addToLibraryBody>;
export type UpdateLibraryEntryInput = z.infer<typeof updateLibraryEntryBody>;
