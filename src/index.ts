import { createApp } from "./app";
import type { Bindings } from "./env";

export { RunObject } from "./runtime/run-object";
export { UserHub } from "./runtime/user-hub";
export { RateLimiter } from "./ratelimit/limiter-object";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
