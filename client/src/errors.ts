import type { components } from "./openapi";

/** The REST error codes the server documents (its one error catalogue). */
export type RestErrorCode = components["schemas"]["ErrorCode"];

/** JSON-RPC 2.0 error codes `/rpc` answers with. */
export type RpcErrorCode = -32700 | -32600 | -32601 | -32602 | -32603;

/**
 * Every failure the client surfaces: a REST error envelope (`code` is its string code), a
 * JSON-RPC error (`code` is the JSON-RPC number, `details` its `data`, e.g. `{field, reason}`),
 * or a response that is neither (`code` "UNEXPECTED_RESPONSE").
 */
export class HydraApiError extends Error {
  constructor(
    readonly code: RestErrorCode | RpcErrorCode | "UNEXPECTED_RESPONSE",
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HydraApiError";
  }

  /** `details.reason` of JSON-RPC refusals (`not_found`, `not_active`, `already_decided`, …). */
  get reason(): string | undefined {
    return typeof this.details.reason === "string" ? this.details.reason : undefined;
  }
}

/** The error a non-2xx REST (or SSE) response stands for. */
export async function errorFromResponse(response: Response): Promise<HydraApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { success?: boolean; error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    if (body?.success === false && body.error?.code) {
      return new HydraApiError(body.error.code as RestErrorCode, body.error.message ?? body.error.code, response.status, body.error.details ?? {});
    }
  } catch {
    // not the envelope: fall through
  }
  return new HydraApiError("UNEXPECTED_RESPONSE", `HTTP ${response.status}`, response.status, { body: text.slice(0, 500) });
}
