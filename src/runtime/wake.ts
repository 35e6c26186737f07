/**
 * Waits until someone calls every function in `waiters` (see `wakeAll`) or `ms` pass: how a
 * Durable Object holds a long poll open without polling.
 */
export function waitForWake(waiters: Set<() => void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    waiters.add(done);
  });
}

export function wakeAll(waiters: Set<() => void>) {
  for (const wake of [...waiters]) wake();
}
