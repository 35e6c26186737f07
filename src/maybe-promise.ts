/**
 * A value now, or a promise of it. The MCP hot path's steps (record, caller, session) answer
 * from the isolate's caches synchronously and reach for I/O only on a miss, so a cached request
 * runs straight through: each async call and await costs about as much as reading a header
 * (README, "Performance").
 */
export type MaybePromise<T> = T | Promise<T>;

export const isPromise = <T>(value: MaybePromise<T>): value is Promise<T> => value instanceof Promise;
