import { DurableObject } from "cloudflare:workers";

/** One Durable Object per user: fan-out of run events for GET /events (issue "Agent runtime"). */
export class UserHub extends DurableObject {}
