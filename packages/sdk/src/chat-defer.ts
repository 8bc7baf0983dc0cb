import type { UIMessageChunk } from 'ai';
import { currentChatContext } from './chat-context.ts';
import type { Logger } from './logger.ts';

/** How long a turn waits for deferred work (Trigger.dev's 5 s) before it goes on without it. */
export const DEFER_TIMEOUT_MS = 5000;

/** Work `chat.defer` took: a promise, or a function whose promise is started at once. */
export type DeferredWork = PromiseLike<unknown> | (() => PromiseLike<unknown> | unknown);

function start(work: DeferredWork): Promise<unknown> {
  try {
    return Promise.resolve(typeof work === 'function' ? work() : work);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Resolves when `promise` settles or after `timeoutMs`, whichever is first; never rejects. */
async function settleWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The background work of a chat's run (`chat.defer`): it runs alongside the turn and is awaited,
 * up to `DEFER_TIMEOUT_MS`, before `onTurnComplete` and before the chat suspends, so that what it
 * injects or stores in a `chat.local` is checkpointed. A failure is logged, never the turn's.
 */
export class Deferrals {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(work: DeferredWork): void {
    const promise = start(work).then(
      () => undefined,
      (error: unknown) => this.#logger.error({ err: error }, 'chat.defer work failed'),
    );
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }

  /** Awaits the work deferred so far, up to the timeout (logged when it runs out). */
  async settle(timeoutMs = DEFER_TIMEOUT_MS): Promise<void> {
    if (this.#pending.size === 0) return;
    const isSettled = await settleWithin(Promise.all(this.#pending), timeoutMs);
    if (!isSettled) {
      this.#logger.warn({ timeoutMs }, 'chat.defer work still running; going on without it');
    }
  }
}

/**
 * Holds a turn's output back while work from `chat.deferBeforeOutput` runs: chunks are buffered
 * and written in order once the work settles, fails or runs past `DEFER_TIMEOUT_MS`. Trigger.dev
 * made it for the user-message write in `onTurnStart`: the model starts at once, and the client
 * sees nothing the author's store does not hold yet.
 */
export class OutputGate {
  readonly #write: (chunk: UIMessageChunk) => void;
  readonly #logger: Logger;
  #held: UIMessageChunk[] = [];
  /** Each hold's work, bounded by its own timeout; settles, never rejects. */
  readonly #pending = new Set<Promise<void>>();

  constructor(write: (chunk: UIMessageChunk) => void, logger: Logger) {
    this.#write = write;
    this.#logger = logger;
  }

  write(chunk: UIMessageChunk): void {
    if (this.#pending.size > 0) this.#held.push(chunk);
    else this.#write(chunk);
  }

  hold(work: DeferredWork): void {
    const promise = start(work).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'chat.deferBeforeOutput work failed; output goes on');
    });
    const bounded = settleWithin(promise, DEFER_TIMEOUT_MS).then((isSettled) => {
      if (!isSettled) {
        this.#logger.warn({ timeoutMs: DEFER_TIMEOUT_MS }, 'chat.deferBeforeOutput timed out');
      }
      this.#pending.delete(bounded);
      if (this.#pending.size === 0) this.#release();
    });
    this.#pending.add(bounded);
  }

  /**
   * Resolves once every hold settled (or ran out of its time) and what they held went out: a
   * turn awaits it before it ends, so that neither its last chunks nor its `turn-complete` pass
   * the work, however fast the turn was.
   */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    this.#release();
  }

  #release(): void {
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) this.#write(chunk);
  }
}

/**
 * `chat.defer(work)`: runs `work` in the background of the turn (analytics, audit logs, a review
 * that `chat.inject`s its result); it is awaited, up to 5 s, before `onTurnComplete` and before
 * the chat suspends. Call it from any code of an agent's run.
 */
export function defer(work: DeferredWork): void {
  currentChatContext('chat.defer').deferrals.add(work);
}

/**
 * `chat.deferBeforeOutput(work)`: starts `work` at once without awaiting it, but nothing the
 * current turn writes reaches the client until it settles (on a failure or after 5 s the output
 * goes through). For the write of the user's message to your own store in `onTurnStart`.
 */
export function deferBeforeOutput(work: DeferredWork): void {
  const context = currentChatContext('chat.deferBeforeOutput');
  if (!context.turn) {
    throw new Error(
      'chat.deferBeforeOutput needs a turn in progress: call it from a turn hook or run',
    );
  }
  context.turn.gate.hold(work);
}
