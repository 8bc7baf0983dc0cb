import type { UIMessageChunk } from 'ai';
import type {
  TurnChannel,
  TurnStart,
  WaitForMessageOptions,
  WaitForMessageResult,
} from '../agent-session.ts';
import { MemorySession } from './memory-session.ts';

/** What {@link HarnessSession} tells its harness. */
export type HarnessSessionEvents = {
  /** The agent is done with its turns for now: it waits for a message or is about to suspend. */
  onSettled(): void;
  /** A chunk of the turn in flight. */
  onChunk(chunk: UIMessageChunk): void;
};

/**
 * The session `mockChatAgent` runs an agent on: a {@link MemorySession} whose run waits warm for
 * the next message, as a worker's does, instead of suspending as soon as nothing is queued.
 *
 * The warm wait ends when a message is sent, when the idle timeout passes (real time, so a
 * chat whose agent sets `idleTimeoutInSeconds: 0` suspends after every turn, as on a worker),
 * when the test asks for the suspend (`suspendWhenIdle`), or when the run is cancelled. Then
 * `MemorySession` takes over: a queued message is answered, else the chat suspends and the next
 * run resumes it under a new run id.
 */
export class HarnessSession extends MemorySession {
  /** The run id each turn ran in, by input id. */
  readonly runIdByInputId = new Map<string, string>();
  #events: HarnessSessionEvents | undefined;
  #wake: (() => void) | undefined;
  #isSuspendRequested = false;

  listen(events: HarnessSessionEvents): void {
    this.#events = events;
  }

  override send(...args: Parameters<MemorySession['send']>): string {
    const inputId = super.send(...args);
    this.#wake?.();
    return inputId;
  }

  override cancel(reason: unknown): void {
    super.cancel(reason);
    this.#wake?.();
  }

  /** The idle timeout passes now: a warm wait, this one or the run's next, ends in a suspend. */
  suspendWhenIdle(): void {
    this.#isSuspendRequested = true;
    this.#wake?.();
  }

  override async waitForMessage(options?: WaitForMessageOptions): Promise<WaitForMessageResult> {
    const idleTimeoutMs = options?.idleTimeoutMs ?? 0;
    const isIdle = this.queueLength === 0 && !this.cancelSignal.aborted;
    // About to suspend at once: the harness settles once the run ended (after `onChatSuspend`).
    if (!isIdle || (idleTimeoutMs > 0 && !this.#isSuspendRequested)) this.#events?.onSettled();
    if (isIdle && idleTimeoutMs > 0) await this.#waitWarm(idleTimeoutMs);
    if (this.queueLength === 0) this.#isSuspendRequested = false;
    return super.waitForMessage(options);
  }

  override async startTurn(start: TurnStart): Promise<TurnChannel> {
    this.runIdByInputId.set(start.inputId, this.state.runId);
    const channel = await super.startTurn(start);
    return {
      stopSignal: channel.stopSignal,
      write: (chunk) => {
        channel.write(chunk);
        this.#events?.onChunk(chunk);
      },
      complete: (end) => channel.complete(end),
    };
  }

  /** Until a message comes, the idle timeout passes, a suspend is asked for, or a cancel. */
  async #waitWarm(idleTimeoutMs: number): Promise<void> {
    if (this.#isSuspendRequested) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), idleTimeoutMs);
      // A test that leaves a chat warm must not keep the process alive for its idle timeout.
      timer.unref?.();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
