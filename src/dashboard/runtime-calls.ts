import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { RpcError } from "../http/jsonrpc";
import { runtimeMethods } from "../runtime/methods";
import { rpcContextOf } from "../runtime/rpc-context";

/**
 * Calls a runtime method (`hydra.run`, `hydra.approve`, …) exactly as `/rpc` would, with the
 * same parameter schema; its JSON-RPC errors become a 400 the page can show.
 */
export async function callRuntime<T = unknown>(c: Context<AppEnv>, name: string, params: Record<string, unknown>): Promise<T> {
  const method = runtimeMethods[name]!;
  const ctx = rpcContextOf(c, c.get("user"));
  const parsed = method.params.safeParse(params);
  if (!parsed.success) throw new ApiError("VALIDATION_ERROR", parsed.error.issues.map((i) => i.message).join("; "));
  try {
    return (await method.handler(parsed.data, ctx)) as T;
  } catch (err) {
    if (err instanceof RpcError) throw new ApiError("VALIDATION_ERROR", err.message, { rpc: err.data ?? null });
    throw err;
  }
}
