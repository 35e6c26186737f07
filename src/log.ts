/** One JSON line per event, always with the request id, so a request's lines can be found together. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function requestLogger(requestId: string): Logger {
  const line = (level: "info" | "warn" | "error") => (msg: string, fields: Record<string, unknown> = {}) =>
    console[level === "info" ? "log" : level](JSON.stringify({ level, msg, requestId, ...fields }));
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
