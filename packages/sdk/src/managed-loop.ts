import type { ToolSet } from 'ai';
import type { AgentRuntimeDefaults, RunEndReason } from './agent-definition.ts';
import type { AgentSession } from './agent-session.ts';
import { type ChatAgentOptions, DEFAULT_MAX_TURNS } from './chat-agent-options.ts';
import { applyCloseRequest, createCloseRequest } from './chat-close.ts';
import { runWithChatContext } from './chat-context.ts';
import { suspensionEvent } from './chat-suspension.ts';
import { type LoopState, runTurn } from './run-turn.ts';
import { parseDurationInSeconds, type RuntimeSettings } from './runtime-settings.ts';
import type { StandardSchema } from './standard-schema.ts';
import { warnHydrateMessagesOnce } from './turn-input.ts';

/**
 * `chat.agent`'s loop for one run of a chat: a turn per message, until the chat suspends (idle
 * past `idleTimeoutInSeconds`), is handed over (a drain, or `maxTurns` turns answered), or the run
 * is cancelled.
 *
 * Suspend and resume on a pool (docs/agents/hooks.md): a chat suspends by leaving its worker, and
 * the next message may wake it on any worker, in a new run. So `onChatSuspend` fires before every
 * graceful end of a run that leaves the chat open (idle suspend, drain hand-over, `maxTurns`),
 * while this run still holds the chat; `onChatResume` fires before the first turn of the run that
 * resumes it, before `onValidateMessages`. A run after a crash is a continuation (Trigger.dev's
 * meaning): no `onChatResume`, as no `onChatSuspend` preceded it. A message that arrives while
 * `onChatSuspend` runs keeps the chat on this run, and its turn starts with `onChatResume`.
 * A `chat.close` during a turn closes the chat once the turn completed, and ends the run.
 */
export async function runManagedLoop<
  Schema extends StandardSchema | undefined,
  Tools extends ToolSet,
>(
  options: ChatAgentOptions<Schema, Tools>,
  session: AgentSession,
  defaults: AgentRuntimeDefaults,
): Promise<RunEndReason> {
  if (options.hydrateMessages) warnHydrateMessagesOnce(session.logger);
  const settings: RuntimeSettings = {
    idleTimeoutInSeconds: options.idleTimeoutInSeconds ?? defaults.idleTimeoutInSeconds,
  };
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  const state: LoopState = {
    ...session.state,
    messages: [...session.state.messages],
    previousTurnUsage: undefined,
    clientData: undefined,
    tools: {},
    isSuspended: session.state.isResume && !session.state.continuation,
  };
  const suspend = async (): Promise<void> => {
    // Once per suspension, and only for a chat that had a turn.
    if (state.isSuspended || state.turns === 0) return;
    state.isSuspended = true;
    try {
      await options.onChatSuspend?.(await suspensionEvent(state, state.messages, state.tools));
    } catch (error) {
      // The chat suspends all the same: a hook cannot keep it on a worker.
      session.logger.error({ err: error }, 'onChatSuspend failed');
    }
  };
  const closeRequest = createCloseRequest();
  const loop = async () => {
    for (let turnsThisRun = 0; ; turnsThisRun += 1) {
      if (turnsThisRun >= maxTurns) {
        if (session.cancelSignal.aborted) return 'cancelled';
        await suspend();
        return await session.endRun();
      }
      const next = await session.waitForMessage({
        idleTimeoutMs: settings.idleTimeoutInSeconds * 1000,
        onSuspend: suspend,
      });
      if (!next.ok) return next.reason;
      await runTurn(options, session, state, next.message);
      // `chat.close` during the turn: applied once the turn completed, so that its output
      // reached the client.
      if (await applyCloseRequest(session, closeRequest)) return 'closed';
    }
  };
  return runWithChatContext({ settings, closeRequest }, loop);
}

/** Checks the options a worker would otherwise only trip over at the first turn. */
export function assertLoopOptions(
  options: Pick<ChatAgentOptions, 'id' | 'maxTurns' | 'turnTimeout' | 'idleTimeoutInSeconds'>,
): void {
  const { maxTurns, idleTimeoutInSeconds } = options;
  if (maxTurns !== undefined && !(Number.isInteger(maxTurns) && maxTurns >= 1)) {
    throw new RangeError(`chat.agent ${options.id}: maxTurns must be an integer >= 1`);
  }
  if (
    idleTimeoutInSeconds !== undefined &&
    !(Number.isFinite(idleTimeoutInSeconds) && idleTimeoutInSeconds >= 0)
  ) {
    throw new RangeError(`chat.agent ${options.id}: idleTimeoutInSeconds must be >= 0`);
  }
  if (options.turnTimeout !== undefined) parseDurationInSeconds(options.turnTimeout);
}
