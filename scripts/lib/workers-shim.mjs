// Outside workerd (document generation in Node), `cloudflare:workers` is only needed for the base
// classes that the runtime's Durable Objects and the OAuth library's entrypoint extend; nothing
// here runs them.
export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkerEntrypoint {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
