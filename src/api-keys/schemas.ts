import { z } from "@hono/zod-openapi";

export const createApiKeyBody = z.object({ name: z.string().trim().min(1).max(100) });

export const apiKeySchema = z
  .object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })
  .openapi("ApiKey");

export const createdApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    key: z.string().describe("The secret `hk_…` key; shown only in this response"),
    createdAt: z.string(),
  })
  .openapi("CreatedApiKey");

export const revokedApiKeySchema = z.object({ id: z.string(), revoked: z.literal(true) });
