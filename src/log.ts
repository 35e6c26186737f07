/** One JSON line per event, always with what it belongs to (the request id, or the run id), so its lines can be found together. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function logger(context: Record<string, unknown>): Logger {
  const line = (level: "info" | "warn" | "error") => (msg: string, fields: Record<string, unknown> = {}) =>
    console[level === "info" ? "log" : level](JSON.stringify({ level, msg, ...context, ...fields }));
  return { info: line("info"), warn: line("warn"), error: line("error") };
}

export const requestLogger = (requestId: string): Logger => logger({ requestId });

/** Inside a run's Durable Object, where no request is in sight (alarms, detached steps): the run id. */
export const runLogger = (runId: string): Logger => logger({ runId });
