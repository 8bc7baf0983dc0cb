import type { ToolSet } from 'ai';
import type { AgentRuntimeDefaults, RunEndReason } from './agent-definition.ts';
import type { AgentSession } from './agent-session.ts';
import { type ChatAgentOptions, DEFAULT_MAX_TURNS } from './chat-agent-options.ts';
import { applyCloseRequest } from './chat-close.ts';
import {
  createChatContext,
  isAgentStateDirty,
  runWithChatContext,
  takeAgentState,
} from './chat-context.ts';
import { idleTimeoutMsOf, isPreloadRun, runPreload } from './chat-preload.ts';
import { suspensionEvent } from './chat-suspension.ts';
import { commonPrefixLength } from './common-prefix-length.ts';
import { type LoopState, runTurn } from './run-turn.ts';
import { parseDurationInSeconds, type RuntimeSettings } from './runtime-settings.ts';
import type { StandardSchema } from './standard-schema.ts';
import { ChatTranscript } from './transcript/chat-transcript.ts';
import type { TranscriptStorage } from './transcript/transcript-storage.ts';
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
    persistedMessages: session.state.messages,
  };
  const context = createChatContext(session, settings);
  if (options.storage) {
    state.transcript = new ChatTranscript(
      options.storage as TranscriptStorage<unknown>,
      session,
      context,
    );
  }
  context.history = {
    get: () => state.messages,
    set: (messages) => {
      state.messages = messages;
    },
  };
  /**
   * Checkpoints what hooks changed after the turn's checkpoint (`chat.history` edits and agent
   * state set in `onTurnComplete`, or by `chat.defer` work), so that it survives the suspend.
   * Before the chat leaves the worker the deferred work is awaited first (up to 5 s); after a
   * turn it is not: the next message is not kept waiting for it.
   */
  const saveChanges = async (options: { settleDeferred: boolean }): Promise<void> => {
    if (options.settleDeferred) await context.deferrals.settle();
    // A run that lost the chat writes nothing more (its writes would be fenced off anyway).
    if (session.cancelSignal.aborted) return;
    const isHistoryEdited = state.messages !== state.persistedMessages;
    if (!isHistoryEdited && !isAgentStateDirty(context)) return;
    const agentState = takeAgentState(context, session);
    await session.saveCheckpoint({
      messages: state.messages,
      keepCount: commonPrefixLength(state.persistedMessages, state.messages),
      ...(agentState !== undefined ? { agentState } : {}),
    });
    state.persistedMessages = state.messages;
  };
  /** Everything changed since the last checkpoint, to Redis and to the transcript storage. */
  const persist = async (): Promise<void> => {
    await saveChanges({ settleDeferred: true });
    if (!state.transcript) return;
    await state.transcript.saveBetweenTurns(state.turns, state.messages, state.clientData);
    // Whether the storage is up to date is part of the agent state.
    await saveChanges({ settleDeferred: false });
  };
  const suspend = async (): Promise<void> => {
    await persist();
    // Once per suspension, and only for a chat that had a turn or was preloaded (phase `preload`).
    if (state.isSuspended || (state.turns === 0 && !state.preloaded)) return;
    state.isSuspended = true;
    try {
      await options.onChatSuspend?.(await suspensionEvent(state, state.messages, state.tools));
    } catch (error) {
      // The chat suspends all the same: a hook cannot keep it on a worker.
      session.logger.error({ err: error }, 'onChatSuspend failed');
    }
    // What the hook changed (`chat.local`, `chat.history`, `chat.defer` work) goes with the chat.
    await persist();
  };
  const { closeRequest, endRunRequest } = context;
  const loop = async () => {
    // A chat with no checkpoint starts from the transcript the agent's storage holds, if any.
    const seeded = await state.transcript?.start(session.state.sessionClientData);
    if (seeded) state.messages = seeded;
    // Trigger.dev's order: `onPreload` before the wait for the first message.
    if (isPreloadRun(state)) state.clientData = await runPreload(options, session);
    // Turns answered by this run; an action that asked for no turn is not one.
    let turnsThisRun = 0;
    for (;;) {
      if (turnsThisRun >= maxTurns || endRunRequest.isRequested) {
        if (session.cancelSignal.aborted) return 'cancelled';
        await suspend();
        return await session.endRun();
      }
      const next = await session.waitForMessage({
        idleTimeoutMs: idleTimeoutMsOf(options, settings, state),
        onSuspend: suspend,
      });
      if (!next.ok) return next.reason;
      const outcome = await runTurn(options, session, state, next.message, context);
      if (outcome.isTurn) turnsThisRun += 1;
      await state.transcript?.saveAfterTurn(outcome, state.messages);
      // `chat.close` during the turn: applied once the turn completed, so that its output
      // reached the client.
      if (await applyCloseRequest(session, closeRequest)) return 'closed';
      await saveChanges({ settleDeferred: false });
    }
  };
  return runWithChatContext(context, loop);
}

/** Checks the options a worker would otherwise only trip over at the first turn. */
export function assertLoopOptions(
  options: Pick<
    ChatAgentOptions,
    | 'id'
    | 'maxTurns'
    | 'turnTimeout'
    | 'idleTimeoutInSeconds'
    | 'preloadIdleTimeoutInSeconds'
    | 'preloadTimeout'
  > & { storage?: unknown; hydrateMessages?: unknown },
): void {
  const { maxTurns, idleTimeoutInSeconds, preloadIdleTimeoutInSeconds } = options;
  if (maxTurns !== undefined && !(Number.isInteger(maxTurns) && maxTurns >= 1)) {
    throw new RangeError(`chat.agent ${options.id}: maxTurns must be an integer >= 1`);
  }
  if (
    idleTimeoutInSeconds !== undefined &&
    !(Number.isFinite(idleTimeoutInSeconds) && idleTimeoutInSeconds >= 0)
  ) {
    throw new RangeError(`chat.agent ${options.id}: idleTimeoutInSeconds must be >= 0`);
  }
  if (
    preloadIdleTimeoutInSeconds !== undefined &&
    !(Number.isFinite(preloadIdleTimeoutInSeconds) && preloadIdleTimeoutInSeconds >= 0)
  ) {
    throw new RangeError(`chat.agent ${options.id}: preloadIdleTimeoutInSeconds must be >= 0`);
  }
  if (options.storage && options.hydrateMessages) {
    throw new TypeError(
      `chat.agent ${options.id}: hydrateMessages cannot be combined with storage; move its body to storage.loadContext`,
    );
  }
  if (options.turnTimeout !== undefined) parseDurationInSeconds(options.turnTimeout);
  if (options.preloadTimeout !== undefined) parseDurationInSeconds(options.preloadTimeout);
}
