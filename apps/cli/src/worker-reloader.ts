import type { ManagedProcess, ProcessGroup } from './process-group.ts';

/** Options of {@link WorkerReloader}. */
export type WorkerReloaderOptions = {
  group: ProcessGroup;
  /** Whether a process of the group is a worker (the gateway and Redis are never reloaded). */
  isWorker: (managed: ManagedProcess) => boolean;
  /** Resolves once a started worker is ready; rejects when it exits first or `signal` aborts. */
  waitUntilReady: (managed: ManagedProcess, signal: AbortSignal) => Promise<void>;
  /** A worker's SIGTERM-to-SIGKILL grace: it drains its turns and hands its chats over. */
  graceMs: number;
  /** How long a restarted worker may take to get ready. */
  readyTimeoutMs: number;
  /** Aborted once `baton dev` stops: no reload starts after that. */
  signal: AbortSignal;
  say: (message: string) => void;
  sayError: (message: string) => void;
  /** Shows a worker's last lines after it failed to start. */
  showRecentLines: (managed: ManagedProcess) => Promise<void>;
};

/**
 * Restarts `baton dev`'s workers when an agent file changed, one at a time: each drains (running
 * turns finish, its chats move to the workers still up), a new one starts with the changed code,
 * and the next is restarted only once it is ready. The pool keeps answering throughout, and a
 * change that breaks the agents stops the roll at the first worker, leaving the others on the
 * code that worked. Changes during a reload make one more reload after it.
 */
export class WorkerReloader {
  readonly #options: WorkerReloaderOptions;
  #running: Promise<void> | undefined;
  #pendingReason: string | undefined;

  constructor(options: WorkerReloaderOptions) {
    this.#options = options;
  }

  /** Asks for a reload because of `reason` (e.g. `agents.ts changed`). */
  request(reason: string): void {
    this.#pendingReason = reason;
    this.#running ??= this.#drainRequests().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once no reload is running or pending. */
  async settled(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drainRequests(): Promise<void> {
    while (this.#pendingReason !== undefined && !this.#options.signal.aborted) {
      const reason = this.#pendingReason;
      this.#pendingReason = undefined;
      await this.#reloadAll(reason);
    }
  }

  async #reloadAll(reason: string): Promise<void> {
    const { group, isWorker, say, sayError } = this.#options;
    const workers = group.processes.filter(isWorker);
    say(`${reason}: restarting the workers one at a time`);
    const startedAtMs = Date.now();
    for (const worker of workers) {
      if (this.#options.signal.aborted) return;
      // A worker that a crash already took down (its restart pending) is started now instead.
      if (!group.processes.includes(worker)) continue;
      const restarted = await this.#restart(worker);
      if (this.#options.signal.aborted) return; // Stopping: no verdict on the change.
      if (restarted === undefined) {
        sayError(
          `${worker.name} did not start with the changed agents; the other workers keep the ` +
            'code that worked. Fix the error above and save to try again.',
        );
        return;
      }
    }
    say(`workers reloaded in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
  }

  async #restart(worker: ManagedProcess): Promise<ManagedProcess | undefined> {
    const { group, signal } = this.#options;
    await worker.stop(this.#options.graceMs);
    if (signal.aborted) return undefined;
    const next = group.restart(worker);
    try {
      await this.#options.waitUntilReady(
        next,
        AbortSignal.any([signal, AbortSignal.timeout(this.#options.readyTimeoutMs)]),
      );
    } catch {
      if (!signal.aborted) await this.#options.showRecentLines(next);
      return undefined;
    }
    this.#options.say(`${next.name} restarted with the changed agents (pid ${next.pid})`);
    return next;
  }
}
