import { DurableObject } from "cloudflare:workers";

/** One Durable Object per agent run (see issue "Agent runtime"); the loop lands with that issue. */
export class RunObject extends DurableObject {}
