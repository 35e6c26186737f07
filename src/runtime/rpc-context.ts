import type { AuthenticatedUser } from "../auth/types";
import type { Database } from "../db/client";
import type { Bindings, Config } from "../env";

/** What every runtime method gets: the caller, their database handle and the deployment's settings. */
export interface RpcContext {
  env: Bindings;
  db: Database;
  config: Config;
  user: AuthenticatedUser;
  now: Date;
  /** The Worker's origin as the caller reached it (approve URLs when PUBLIC_BASE_URL is unset). */
  origin: string;
}
