/**
 * How long the runtime waits for a result promise of the AI SDK (usage, finish reason): after an
 * abort they may never settle (Trigger.dev waits 2 s too).
 */
const SETTLE_WAIT_MS = 2_000;

/** The promise's value, or undefined when it rejects or takes longer than `SETTLE_WAIT_MS`. */
export async function settle<T>(promise: PromiseLike<T> | undefined): Promise<T | undefined> {
  if (!promise) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(promise),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), SETTLE_WAIT_MS);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
