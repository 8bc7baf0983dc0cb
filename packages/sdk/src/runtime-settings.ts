import { currentChatContext } from './chat-context.ts';

/**
 * The settings of one run of an agent (`chat.agent` or `chat.customAgent`) that its code may
 * change while it runs (`chat.setIdleTimeoutInSeconds`): Trigger.dev keeps them in the run's
 * metadata, Baton in the run's chat context. They last for the run: a chat resumed on another
 * worker starts from the agent's options again, as a Trigger.dev continuation does.
 */
export type RuntimeSettings = { idleTimeoutInSeconds: number };

function assertSeconds(setter: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`${setter} needs a number of seconds >= 0, got ${seconds}`);
  }
}

/** The warm wait after the current turn before the chat suspends (`0`: suspend at once). */
export function setIdleTimeoutInSeconds(seconds: number): void {
  assertSeconds('chat.setIdleTimeoutInSeconds', seconds);
  currentChatContext('chat.setIdleTimeoutInSeconds').settings.idleTimeoutInSeconds = seconds;
}

/**
 * Trigger.dev's suspended-wait bound, as a duration (`"2h"`): checked and accepted, with no effect
 * on Baton, where a suspended chat holds no run to time out (docs/agents/hooks.md).
 */
export function setTurnTimeout(duration: string): void {
  currentChatContext('chat.setTurnTimeout');
  parseDurationInSeconds(duration);
}

/** `setTurnTimeout` in seconds. */
export function setTurnTimeoutInSeconds(seconds: number): void {
  currentChatContext('chat.setTurnTimeoutInSeconds');
  assertSeconds('chat.setTurnTimeoutInSeconds', seconds);
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
