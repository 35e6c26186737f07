// Shared by the stand-ins: a slow answer that notices the caller giving up.

/** Resolves after `ms` with false, or at once with true when `signal` aborts first. */
export function sleepUnlessAborted(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
