import { rateLimit } from "../ratelimit/middleware";
import { identify, requireUser } from "./middleware";

/**
 * Every authenticated API path (/v1, /rpc, SSE): identify without failing, rate limit per user
 * (or per IP when unauthenticated, so 401s count and carry the headers), then require a user.
 */
export const authenticatedApi = [identify, rateLimit, requireUser] as const;
