import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { callRuntimeMethod } from "../runtime/methods";
import { rpcContextOf } from "../runtime/rpc-context";

/**
 * Calls a runtime method (`hydra.run`, `hydra.approve`, …) through the dispatcher `/rpc` uses, so
 * its params are checked in that one place. Its JSON-RPC errors become a 400 whose message the page
 * shows (invalid params: each issue's message, as `/mcp` words them); anything else, such as a
 * run that is not the caller's, goes to the app's error handler as it is.
 */
export async function callRuntime<T = unknown>(c: Context<AppEnv>, name: string, params: Record<string, unknown>): Promise<T> {
  const response = await callRuntimeMethod(name, params, rpcContextOf(c, c.get("user")), "message");
  if ("error" in response) {
    const { message, data } = response.error;
    throw new ApiError("VALIDATION_ERROR", message, data === undefined ? {} : { rpc: data });
  }
  return response.result as T;
}
