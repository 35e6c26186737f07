// Outside workerd (document generation in Node), `cloudflare:workers` is only needed for the
// Durable Object base class the runtime's classes extend; nothing here runs them.
export class DurableObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
}
