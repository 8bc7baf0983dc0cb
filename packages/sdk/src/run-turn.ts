import { EMPTY_USAGE, type TurnStatus, type Usage, upsertMessage } from '@baton/protocol';
import {
  convertToModelMessages,
  type FinishReason,
  type ModelMessage,
  type ToolSet,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';
import type { AgentSession, SessionMessage, SessionState } from './agent-session.ts';
import { type ChatActionOptions, decideAction } from './chat-action.ts';
import type { CommonEvent, TurnCompleteEvent } from './chat-agent-hooks.ts';
import type { ChatAgentOptions, ClientDataOf, TurnTrigger } from './chat-agent-options.ts';
import { type ChatContext, takeAgentState } from './chat-context.ts';
import { suspensionEvent } from './chat-suspension.ts';
import { cleanupAbortedParts } from './cleanup-aborted-parts.ts';
import { commonPrefixLength } from './common-prefix-length.ts';
import { createManagedStreamText } from './managed-stream-text.ts';
import { executableToolNames, executePendingToolCalls } from './pending-tool-calls.ts';
import { settle } from './settle.ts';
import { type StandardSchema, validateWithSchema } from './standard-schema.ts';
import { DEFAULT_ERROR_TEXT, toChunkStream } from './to-chunk-stream.ts';
import type { ChatTranscript, TurnOutcome } from './transcript/chat-transcript.ts';
import {
  accumulate,
  hydrateHistory,
  lastAssistant,
  resolveTools,
  validateIncoming,
  withoutEmptyLastMessage,
} from './turn-input.ts';
import { buildResponseMessage, pipeChunks } from './turn-output.ts';
import {
  DEFAULT_RECOVERY_ATTEMPTS,
  planRecovery,
  type RecoveryPlan,
  withoutFirstStepStart,
} from './turn-recovery.ts';
import { TurnWriter } from './turn-writer.ts';
import { addUsage, toUsage } from './usage.ts';

/** A turn whose runs died more often than `recovery.maxAttempts` allows. */
export class RecoveryExhaustedError extends Error {
  constructor(turn: number, attempt: number) {
    super(`turn ${turn} was not recovered: attempt ${attempt} exceeds the recovery budget`);
    this.name = 'RecoveryExhaustedError';
  }
}

/** What the managed loop keeps between the turns of one run. */
export type LoopState = SessionState & {
  previousTurnUsage: Usage | undefined;
  /** The last turn's validated client data, for `onChatSuspend`. */
  clientData: unknown;
  /** The last turn's tools, to convert the history for `onChatSuspend`. */
  tools: ToolSet;
  /** The author last saw `onChatSuspend`: the next turn starts with `onChatResume`. */
  isSuspended: boolean;
  /** The history as the last checkpoint holds it. */
  persistedMessages: UIMessage[];
  /** The agent's transcript storage, when it has one. */
  transcript?: ChatTranscript;
};

/**
 * One turn of the managed loop: validate, run the hooks and the agent, pipe and accumulate its
 * answer, checkpoint; recover the turn instead when its previous run died.
 */
export async function runTurn<Schema extends StandardSchema | undefined, Tools extends ToolSet>(
  options: ChatAgentOptions<Schema, Tools>,
  session: AgentSession,
  state: LoopState,
  incoming: SessionMessage,
  context: ChatContext,
): Promise<TurnOutcome> {
  const turn = state.turns;
  const logger = session.logger.child({ turn });
  const previousMessages = state.messages;
  // What the checkpoint holds when the turn fails before its message is validated (invalid client
  // data, say): the message as it came, so the conversation keeps what the client shows.
  // A custom action (`onAction`) is not a turn unless it asks for one (`chat.turn()`); its
  // message is only the client's last one, never accumulated.
  const isAction = incoming.action !== undefined;
  let isTurn = !isAction;
  let trigger: TurnTrigger = incoming.trigger;
  let uiMessages = isAction
    ? previousMessages
    : accumulate(previousMessages, [incoming.message], incoming.trigger);
  let incomingMessages = isAction ? [] : [incoming.message];
  /** The model's context when the agent's storage has `loadContext`. */
  let contextMessages: UIMessage[] | undefined;
  // The assistant message this turn continues (a message coming back with resolved tools), if any.
  // An action continues nothing: the last answer is not the one its turn (if any) writes.
  let continued = isAction ? undefined : lastAssistant(uiMessages);
  const { recovery } = incoming;
  // The attempt is on record before anything of the turn can fail (the recovery plan and the
  // author's `onRecovery` included): a turn that keeps failing runs out of its budget.
  const channel = await session.startTurn({
    turn,
    inputId: incoming.inputId,
    ...(recovery ? { recovery: { attempt: recovery.attempt } } : {}),
  });
  // The dead attempts' chunks stay part of the turn: the persisted answer is what a client that
  // watched every attempt holds.
  const output = new TurnWriter(channel, recovery?.chunks ?? [], logger);
  const { chunks, writer } = output;
  const write = (chunk: UIMessageChunk) => output.write(chunk);
  const { stopSignal } = channel;
  const { cancelSignal } = session;
  const signal = AbortSignal.any([stopSignal, cancelSignal]);
  // `chat.history` edits the turn's history; `chat.response` and `chat.stream` write its output.
  const betweenTurns = context.history;
  context.history = {
    get: () => uiMessages,
    set: (messages) => {
      uiMessages = messages;
    },
  };
  context.turn = output.scope;
  let tools = {} as Tools;
  let clientData = incoming.clientData as ClientDataOf<Schema>;
  let status: TurnStatus = 'complete';
  let error: unknown;
  let usage: Usage = { ...EMPTY_USAGE };
  let finishReason: FinishReason | undefined;
  const common = (): CommonEvent<ClientDataOf<Schema>> => ({
    chatId: state.chatId,
    runId: state.runId,
    clientData,
    continuation: state.continuation,
    preloaded: state.preloaded === true,
  });
  const toModel = (messages: UIMessage[]) =>
    convertToModelMessages(messages, { tools, ignoreIncompleteToolCalls: true });

  /**
   * The turn's real work, in Trigger.dev's order: `onChatResume` (after a suspend),
   * `onValidateMessages`, `hydrateMessages`, accumulation, `onChatStart` (turn 0), `onTurnStart`,
   * `prepareMessages`, `run`. A recovered turn goes on from its plan (`needsReset`: its unfinished
   * step was dropped).
   */
  const produce = async (plan: RecoveryPlan | undefined, needsReset: boolean): Promise<void> => {
    if (state.isSuspended) {
      await options.onChatResume?.(await suspensionEvent(state, previousMessages, tools));
      state.isSuspended = false;
    }
    if (isAction) {
      // As in Trigger.dev, `hydrateMessages` is the one hook besides `onAction` an action runs.
      if (options.hydrateMessages) {
        uiMessages = await hydrateHistory(options.hydrateMessages, {
          chatId: state.chatId,
          turn,
          trigger: 'action',
          incomingMessages: [],
          previousMessages,
          clientData,
          continuation: state.continuation,
          previousRunId: undefined,
        });
      }
      const request = await decideAction(
        options as ChatActionOptions<ClientDataOf<Schema>, StandardSchema | undefined>,
        {
          action: incoming.action,
          chatId: state.chatId,
          turn,
          clientData,
          uiMessages,
          messages: await toModel(uiMessages),
        },
        logger,
      );
      if (!request) return;
      // `chat.turn()`: a real turn follows, on the history as the action left it.
      isTurn = true;
      trigger = 'action-turn';
      if (request.message) {
        incomingMessages = [request.message];
        uiMessages = accumulate(uiMessages, incomingMessages, 'submit-message');
      }
    } else {
      await acceptIncoming();
    }
    // The storage's `loadContext` decides what the model sees; the history accumulates as ever.
    contextMessages = await state.transcript?.loadContext({
      chatId: state.chatId,
      turn,
      trigger: isAction ? 'action' : incoming.trigger,
      incomingMessages,
      previousMessages,
      clientData,
      continuation: state.continuation,
      previousRunId: undefined,
    });
    // The user's message is saved alongside the model; the output waits for the save.
    state.transcript?.saveTurnStart(turn, trigger, uiMessages, clientData);
    await answer(plan, needsReset);
  };

  /** `onValidateMessages`, `hydrateMessages`, accumulation of the turn's message. */
  const acceptIncoming = async (): Promise<void> => {
    // A message the validation rejects is not kept.
    uiMessages = previousMessages;
    incomingMessages = await validateIncoming(options, {
      messages: [incoming.message],
      chatId: state.chatId,
      turn,
      trigger: incoming.trigger,
    });
    uiMessages = accumulate(previousMessages, incomingMessages, incoming.trigger);
    if (options.hydrateMessages) {
      uiMessages = await hydrateHistory(options.hydrateMessages, {
        chatId: state.chatId,
        turn,
        trigger: incoming.trigger,
        incomingMessages,
        previousMessages,
        clientData,
        continuation: state.continuation,
        previousRunId: undefined,
      });
    }
  };

  /** The turn's answer: `onChatStart`, `onTurnStart`, `prepareMessages`, `run`. */
  const answer = async (plan: RecoveryPlan | undefined, needsReset: boolean): Promise<void> => {
    continued = lastAssistant(uiMessages);
    if (plan?.kind === 'continue' && plan.partial) {
      uiMessages = upsertMessage(uiMessages, plan.partial).messages;
      if (contextMessages) contextMessages = upsertMessage(contextMessages, plan.partial).messages;
    }
    if (plan?.kind === 'continue' && plan.pendingToolCalls.length > 0) {
      // The tools run before the hooks and the model, as they would have in the dead run.
      await executePendingToolCalls(plan.pendingToolCalls, tools, {
        messages: await toModel(uiMessages.filter((message) => message.id !== plan.partial?.id)),
        signal,
        write,
      });
      const resumed = await buildResponseMessage(chunks, continued);
      if (resumed) uiMessages = upsertMessage(uiMessages, resumed).messages;
    }
    // What the model sees: the storage's context when it has `loadContext`, else the history.
    const view = () => contextMessages ?? uiMessages;
    let modelMessages: ModelMessage[] = await toModel(withoutEmptyLastMessage(view()));
    const historyBeforeHooks = uiMessages;
    if (turn === 0 && !state.continuation && !isAction) {
      await options.onChatStart?.({ ...common(), messages: modelMessages, uiMessages, writer });
    }
    await options.onTurnStart?.({
      ...common(),
      messages: modelMessages,
      uiMessages,
      turn,
      previousTurnUsage: state.previousTurnUsage,
      totalUsage: state.totalUsage,
      writer,
    });
    // Hooks may have edited the history (`chat.history`): `run` gets the edited one.
    if (!contextMessages && uiMessages !== historyBeforeHooks) {
      modelMessages = await toModel(withoutEmptyLastMessage(uiMessages));
    }
    // `chat.inject` messages of the conversation lane join before `run` (system ones wait for
    // the managed streamText's instructions).
    modelMessages = [...modelMessages, ...context.injections.takeConversation()];
    if (options.prepareMessages) {
      modelMessages = await options.prepareMessages({
        messages: modelMessages,
        reason: 'run',
        chatId: state.chatId,
        turn,
        clientData,
      });
    }
    const result = await options.run({
      ...common(),
      messages: modelMessages,
      uiMessages: view(),
      tools,
      turn,
      trigger,
      messageId: incoming.messageId,
      signal,
      stopSignal,
      cancelSignal,
      previousTurnUsage: state.previousTurnUsage,
      totalUsage: state.totalUsage,
      streamText: createManagedStreamText({
        system: options.system,
        toolApproval: options.toolApproval,
        tools,
        injections: context.injections,
      }),
    });
    const stream = toChunkStream(result, uiMessages, options);
    if (stream) {
      await pipeChunks(needsReset ? withoutFirstStepStart(stream) : stream, write, stopSignal);
    }
    if (result && 'totalUsage' in result) {
      usage = toUsage(await settle(result.totalUsage));
      finishReason = await settle(result.finishReason);
    }
  };

  try {
    // Past the budget the turn ends before any code of the author's runs: it may be what failed.
    const earlierRuns = (incoming.attempt ?? 1) - 1;
    const maxAttempts = options.recovery?.maxAttempts ?? DEFAULT_RECOVERY_ATTEMPTS;
    if (!recovery && earlierRuns > maxAttempts) throw new RecoveryExhaustedError(turn, earlierRuns);
    if (options.clientDataSchema) {
      clientData = (await validateWithSchema(
        options.clientDataSchema,
        incoming.clientData,
      )) as ClientDataOf<Schema>;
    }
    tools = await resolveTools(options, {
      chatId: state.chatId,
      turn,
      continuation: state.continuation,
      clientData,
    });
    state.clientData = clientData;
    state.tools = tools;
    const plan = recovery
      ? await planRecovery(recovery, options.recovery, {
          chatId: state.chatId,
          turn,
          continued,
          executableTools: executableToolNames(tools, options.toolApproval),
        })
      : undefined;
    if (plan) logger.warn({ attempt: incoming.attempt ?? 1, plan: plan.kind }, 'retrying turn');
    const needsReset = plan !== undefined && plan.kind !== 'settle' && plan.needsReset;
    if (needsReset) write({ type: 'reset-step' });
    if (plan?.kind === 'give-up') throw new RecoveryExhaustedError(turn, earlierRuns);
    // A recovered turn that had finished needs only its checkpoint: the model is not called.
    if (plan?.kind !== 'settle') await produce(plan, needsReset);
  } catch (caught) {
    error = caught;
    // An action that failed leaves the history as it was (its edits are not kept).
    if (isAction && !isTurn) uiMessages = previousMessages;
    logger.warn({ err: caught }, 'turn failed');
    write({ type: 'error', errorText: DEFAULT_ERROR_TEXT });
  }

  // The model messages of the event cost a conversion of the whole history: only for a hook.
  const hasCompleteHook = Boolean(options.onBeforeTurnComplete || options.onTurnComplete);
  const outcome = async (): Promise<TurnCompleteEvent<ClientDataOf<Schema>>> => {
    if (error !== undefined || chunks.some((chunk) => chunk.type === 'error')) status = 'error';
    else if (stopSignal.aborted) status = 'stopped';
    const rawResponseMessage = await buildResponseMessage(chunks, continued);
    const responseMessage =
      rawResponseMessage && status !== 'complete'
        ? cleanupAbortedParts(rawResponseMessage)
        : rawResponseMessage;
    if (responseMessage && responseMessage.parts.length > 0) {
      uiMessages = upsertMessage(uiMessages, responseMessage).messages;
    }
    const newIds = new Set([...incomingMessages.map(({ id }) => id), responseMessage?.id]);
    const newUIMessages = uiMessages.filter((message) => newIds.has(message.id));
    const [messages, newMessages] = hasCompleteHook
      ? await Promise.all([toModel(uiMessages), toModel(newUIMessages)])
      : [[], []];
    return {
      ...common(),
      messages,
      uiMessages,
      newMessages,
      newUIMessages,
      responseMessage,
      rawResponseMessage,
      turn,
      stopped: status === 'stopped',
      usage,
      totalUsage: addUsage(state.totalUsage, usage),
      finishReason,
      error,
    };
  };

  output.endAnswer();
  // Work of `chat.defer` settles (up to 5 s) before the turn's end hooks.
  await context.deferrals.settle();
  // `onBeforeTurnComplete` writes into the still open output; what it writes is part of the answer.
  let event = await outcome();
  if (options.onBeforeTurnComplete && isTurn) {
    const written = chunks.length;
    try {
      await options.onBeforeTurnComplete({ ...event, writer });
    } catch (hookError) {
      error ??= hookError;
      logger.warn({ err: hookError }, 'onBeforeTurnComplete failed');
      write({ type: 'error', errorText: DEFAULT_ERROR_TEXT });
    }
    output.endAnswer();
    if (chunks.length > written) event = await outcome();
  }

  await output.flush();
  context.turn = undefined;
  // The storage has not taken this turn's answer yet: the checkpoint says so until it has.
  state.transcript?.markTurnUnsaved();
  const agentState = takeAgentState(context, session);
  await channel.complete({
    status,
    messages: uiMessages,
    keepCount: commonPrefixLength(state.persistedMessages, uiMessages),
    totalUsage: event.totalUsage,
    ...(agentState !== undefined ? { agentState } : {}),
    ...(isTurn ? {} : { countsAsTurn: false }),
  });
  state.messages = uiMessages;
  state.persistedMessages = uiMessages;
  // Between turns `chat.history` edits the loop's history again; the loop checkpoints edits.
  context.history = betweenTurns;
  const turnOutcome: TurnOutcome = {
    turn,
    status,
    trigger: isAction && !isTurn ? 'action' : trigger,
    isTurn,
    isRecovered: recovery !== undefined,
    responseId: event.responseMessage?.id,
    clientData,
  };
  // An action alone is not a turn (Trigger.dev): no turn number, usage or `onTurnComplete`.
  if (!isTurn) return turnOutcome;
  state.turns = turn + 1;
  state.totalUsage = event.totalUsage;
  state.previousTurnUsage = usage;

  try {
    await options.onTurnComplete?.(event);
  } catch (hookError) {
    // The turn is already complete and persisted; a failing hook cannot change its outcome.
    logger.error({ err: hookError }, 'onTurnComplete failed');
  }
  return turnOutcome;
}
