/**
 * Settles as `promise` does, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. For work that should observe the signal but might not: agent code that ignores its
 * abort signal, or a Redis command stuck on a half-open connection, must not keep the caller
 * waiting. The abandoned promise runs on; its outcome, if it ever comes, is ignored.
 *
 * @example
 * ```ts
 * const outcome = await untilAborted(agent.runSession(session, defaults), session.cancelSignal);
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Handles the promise's rejection even once abandoned: it never goes unhandled.
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
