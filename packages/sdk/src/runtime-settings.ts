import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The settings of one run of an agent (`chat.agent` or `chat.customAgent`) that its code may change
 * while it runs
 * (`chat.setIdleTimeoutInSeconds`, `chat.setTurnTimeout`): Trigger.dev keeps them in the run's
 * metadata, Baton in the run's async context. They last for the run: a chat resumed on another
 * worker starts from the agent's options again, as a Trigger.dev continuation does.
 *
 * A slot of its own rather than a field of `chat-context.ts`: that context binds a custom agent's
 * `ChatRun`, which the managed loop does not have.
 */
export type RuntimeSettings = {
  idleTimeoutInSeconds: number;
  /** Kept for porting; no effect on Baton (docs/agents/hooks.md, "turnTimeout"). */
  turnTimeoutInSeconds: number;
};

const storage = new AsyncLocalStorage<RuntimeSettings>();

/** Runs `fn` (and everything it awaits or schedules) with `settings` as the run's settings. */
export function runWithRuntimeSettings<T>(settings: RuntimeSettings, fn: () => T): T {
  return storage.run(settings, fn);
}

function currentSettings(setter: string): RuntimeSettings {
  const settings = storage.getStore();
  if (!settings) {
    throw new Error(
      `${setter} was called outside an agent's run: call it from run() or a hook (or from code they await)`,
    );
  }
  return settings;
}

function assertSeconds(setter: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`${setter} needs a number of seconds >= 0, got ${seconds}`);
  }
}

/** The warm wait after the current turn before the chat suspends (`0`: suspend at once). */
export function setIdleTimeoutInSeconds(seconds: number): void {
  assertSeconds('chat.setIdleTimeoutInSeconds', seconds);
  currentSettings('chat.setIdleTimeoutInSeconds').idleTimeoutInSeconds = seconds;
}

/** Trigger.dev's suspended-wait bound, as a duration (`"2h"`); accepted, no effect on Baton. */
export function setTurnTimeout(duration: string): void {
  const seconds = parseDurationInSeconds(duration);
  currentSettings('chat.setTurnTimeout').turnTimeoutInSeconds = seconds;
}

/** `setTurnTimeout` in seconds. */
export function setTurnTimeoutInSeconds(seconds: number): void {
  assertSeconds('chat.setTurnTimeoutInSeconds', seconds);
  currentSettings('chat.setTurnTimeoutInSeconds').turnTimeoutInSeconds = seconds;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Trigger.dev's duration strings: a number and a unit (`s`, `m`, `h`, `d`, `w`), or several
 * (`"1h30m"`).
 */
export function parseDurationInSeconds(duration: string): number {
  const parts = [...duration.trim().matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== duration.replace(/\s/g, '')) {
    throw new RangeError(`not a duration: ${JSON.stringify(duration)} (expected e.g. "1h", "30m")`);
  }
  return parts.reduce(
    (total, [, amount, unit]) => total + Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1),
    0,
  );
}
