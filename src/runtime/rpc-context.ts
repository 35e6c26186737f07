import type { Logger } from "../log";
import type { AuthenticatedUser } from "../auth/types";
import type { Database } from "../db/client";
import type { Context } from "hono";
import type { AppEnv, Bindings, Config } from "../env";
import { dbOf } from "../db/session";

/** What every runtime method gets: the caller, their database handle and the deployment's settings. */
export interface RpcContext {
  env: Bindings;
  db: Database;
  config: Config;
  user: AuthenticatedUser;
  now: Date;
  /** The Worker's origin as the caller reached it (approve URLs when PUBLIC_BASE_URL is unset). */
  origin: string;
  /** The request's logger (request id on every line). */
  log: Logger;
}

/** What a runtime method receives, from the request that calls it (/rpc, MCP run tools, the dashboard). */
export const rpcContextOf = (c: Context<AppEnv>, user: AuthenticatedUser): RpcContext => ({
  env: c.env,
  // A getter: MCP builds the owner's context to learn who the owner is, and must open no D1 for it.
  get db() {
    return dbOf(c);
  },
  config: c.get("config"),
  user,
  now: c.get("clock").now(),
  origin: new URL(c.req.url).origin,
  log: c.get("log"),
});
