import { z } from "@hono/zod-openapi";
import { storedManifest } from "../workflows/schemas";
import { pageQuery } from "../http/pagination";
import { adapterSchema, storedAdapters } from "../manifest/schema";

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

const libraryEntryFields = z.object({
    libraryId: z.string(),
    workflowId: z.string(),
    userId: z.string(),
    sourceType: z.enum(["owned", "subscribed", "forked"]),
    sourceUserId: z.string(),
    isActive: z.boolean(),
    enabledAdapters: storedAdapters,
    workflowName: z.string(),
    workflowVersion: z.string().describe("The version this entry serves: the newest with autoUpdate, else the pinned one"),
    autoUpdate: z.boolean(),
    addedAt: z.string(),
    updatedAt: z.string(),
  });

export const libraryEntrySchema = libraryEntryFields.openapi("LibraryEntry");

export const libraryEntryDetailSchema = libraryEntryFields
  .extend({
    latestVersion: z.string(),
    available: z.boolean().describe("false once the workflow turned private (its manifest is then withheld)"),
    manifest: storedManifest.nullable(),
  })
  .openapi("LibraryEntryDetail");

export const libraryEntryRemovedSchema = z.object({ libraryId: z.string(), workflowId: z.string(), deleted: z.literal(true) });
