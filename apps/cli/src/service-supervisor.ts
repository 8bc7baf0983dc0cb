import { setTimeout as delay } from 'node:timers/promises';
import type { ChatHolders, ChatRecovery, HeldChat } from './chat-holders.ts';
import type { ExitStatus, ManagedProcess, ProcessGroup } from './process-group.ts';
import { RestartBackoff } from './restart-backoff.ts';

/** Options of {@link ServiceSupervisor}. */
export type ServiceSupervisorOptions = {
  group: ProcessGroup;
  holders: ChatHolders;
  /** Aborted once `baton dev` stops: no restart, no recovery line after that. */
  signal: AbortSignal;
  /** A launcher line (`say`). */
  say: (message: string) => void;
  /** A launcher line about a failure (`sayError`). */
  sayError: (message: string) => void;
  /**
   * Resolves once a restarted process serves again (the gateway answers `/healthz`, a worker
   * logged its ready line); rejects when it exits first or `signal` aborts.
   */
  waitUntilReady: (managed: ManagedProcess, signal: AbortSignal) => Promise<void>;
  /** How long a restarted process may take to get ready before the launcher says so. */
  readyTimeoutMs: number;
};

/**
 * Keeps the gateway and the workers of `baton dev` running: one that dies is reported in one line
 * (which process, which signal or exit code, which chats it held), started again after a
 * {@link RestartBackoff} with the same name and environment, and each chat it held is watched
 * until another worker took it over, so the log shows the recovery the product promises. The other
 * processes keep serving all along. Redis is not supervised: nothing works without it.
 *
 * @example
 * ```ts
 * group.onUnexpectedExit((managed) => void supervisor.supervise(managed));
 * ```
 */
export class ServiceSupervisor {
  readonly #options: ServiceSupervisorOptions;
  readonly #backoffs = new Map<string, RestartBackoff>();

  constructor(options: ServiceSupervisorOptions) {
    this.#options = options;
  }

  /** Reports a process that died, watches its chats, and restarts it after its backoff. */
  async supervise(dead: ManagedProcess): Promise<void> {
    const { group, signal } = this.#options;
    const diedAtMs = Date.now();
    const status = await dead.exited;
    const workerId = dead.options.env.BATON_WORKER_ID;
    const held = workerId === undefined ? undefined : await this.#heldBy(workerId);
    const delayMs = this.#backoffOf(dead.name).nextDelayMs(diedAtMs - dead.startedAtMs);
    if (signal.aborted) return;
    this.#options.sayError(
      `${dead.name} died (${describeDeath(status)})${describeHeld(held)}; ` +
        `restarting it in ${seconds(delayMs)}`,
    );
    if (Array.isArray(held)) {
      for (const chat of held) void this.#reportRecovery(chat, diedAtMs);
    }
    try {
      await delay(delayMs, undefined, { signal });
    } catch {
      return; // Stopping: a restart now would outlive the stop.
    }
    // Stopping, or already started again (an agent-file reload restarts a dead worker at once).
    if (signal.aborted || !group.processes.includes(dead)) return;
    const restarted = group.restart(dead);
    const restartedAtMs = Date.now();
    try {
      await this.#options.waitUntilReady(
        restarted,
        AbortSignal.any([signal, AbortSignal.timeout(this.#options.readyTimeoutMs)]),
      );
    } catch {
      // Stopping; or it died again, which its own exit reports; or it hangs, which is said here.
      if (!signal.aborted && !restarted.hasExited) {
        this.#options.sayError(
          `${dead.name} restarted (pid ${restarted.pid}) but is not ready after ` +
            seconds(this.#options.readyTimeoutMs),
        );
      }
      return;
    }
    this.#options.say(
      `${dead.name} restarted (pid ${restarted.pid}), ready in ${seconds(Date.now() - restartedAtMs)}`,
    );
  }

  async #heldBy(workerId: string): Promise<HeldChat[] | Error> {
    try {
      return await this.#options.holders.heldBy(workerId);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async #reportRecovery(chat: HeldChat, diedAtMs: number): Promise<void> {
    let recovery: ChatRecovery;
    try {
      recovery = await this.#options.holders.awaitRecovery(chat, diedAtMs, this.#options.signal);
    } catch {
      return; // Stopping, or Redis went away: the launcher reports that itself.
    }
    this.#options.say(describeRecovery(chat.chatId, recovery));
  }

  #backoffOf(name: string): RestartBackoff {
    let backoff = this.#backoffs.get(name);
    if (backoff === undefined) {
      backoff = new RestartBackoff();
      this.#backoffs.set(name, backoff);
    }
    return backoff;
  }
}

/** `SIGKILL` or `exit code 1`. */
function describeDeath(status: ExitStatus): string {
  return status.signal ?? `exit code ${status.code}`;
}

function describeHeld(held: HeldChat[] | Error | undefined): string {
  if (held === undefined) return '';
  if (held instanceof Error) return `; its chats could not be read (${held.message})`;
  if (held.length === 0) return '; it held no chats';
  return `; it held chats ${held.map((chat) => chat.chatId).join(', ')}`;
}

function describeRecovery(chatId: string, recovery: ChatRecovery): string {
  const after = seconds(recovery.afterMs);
  switch (recovery.kind) {
    case 'taken-over':
      return `${chatId} taken over by ${recovery.holder} after ${after}`;
    case 'idle':
      return `${chatId} ${recovery.status} after ${after}`;
    case 'timed-out':
      return `${chatId} not taken over within ${after} (still ${recovery.status})`;
  }
}

function seconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(1)} s`;
}
