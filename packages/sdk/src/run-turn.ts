import { EMPTY_USAGE, type TurnStatus, type Usage, upsertMessage } from '@baton/protocol';
import {
  convertToModelMessages,
  createIdGenerator,
  type FinishReason,
  type ModelMessage,
  type ToolSet,
  toUIMessageStream,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';
import type { AgentSession, SessionMessage, SessionState } from './agent-session.ts';
import type {
  ChatAgentOptions,
  ChatRunResult,
  ChatWriter,
  ClientDataOf,
  CommonEvent,
} from './chat-agent-options.ts';
import { cleanupAbortedParts } from './cleanup-aborted-parts.ts';
import { executableToolNames, executePendingToolCalls } from './pending-tool-calls.ts';
import { type StandardSchema, validateWithSchema } from './standard-schema.ts';
import { buildResponseMessage, pipeChunks } from './turn-output.ts';
import {
  DEFAULT_RECOVERY_ATTEMPTS,
  planRecovery,
  type RecoveryPlan,
  withoutFirstStepStart,
} from './turn-recovery.ts';
import { addUsage, toUsage } from './usage.ts';

/** A turn whose runs died more often than `recovery.maxAttempts` allows. */
export class RecoveryExhaustedError extends Error {
  constructor(turn: number, attempt: number) {
    super(`turn ${turn} was not recovered: attempt ${attempt} exceeds the recovery budget`);
    this.name = 'RecoveryExhaustedError';
  }
}

/**
 * How a turn that earlier runs took on goes on: a recovery plan when one of them left the turn in
 * flight; a give-up when they all failed before it started, past the budget; else nothing (a first
 * attempt, or a retry after failures that left nothing to recover).
 */
async function planTurn(
  options: Pick<ChatAgentOptions<StandardSchema | undefined, ToolSet>, 'recovery'>,
  incoming: SessionMessage,
  context: Parameters<typeof planRecovery>[2],
): Promise<RecoveryPlan | undefined> {
  if (incoming.recovery) return planRecovery(incoming.recovery, options.recovery, context);
  const earlierRuns = (incoming.attempt ?? 1) - 1;
  const maxAttempts = options.recovery?.maxAttempts ?? DEFAULT_RECOVERY_ATTEMPTS;
  return earlierRuns > maxAttempts ? { kind: 'give-up', needsReset: false } : undefined;
}

/** The usage promises of the AI SDK may never settle after an abort (Trigger.dev waits 2 s). */
const USAGE_WAIT_MS = 2000;
const DEFAULT_ERROR_TEXT = 'An error occurred while generating the response.';
const generateMessageId = createIdGenerator({ prefix: 'msg', size: 24 });

export type LoopState = SessionState & { previousTurnUsage: Usage | undefined };

/**
 * One turn of the managed loop: validate, run the hooks and the agent, pipe and accumulate its
 * answer, checkpoint; recover the turn instead when its previous run died.
 */
export async function runTurn<Schema extends StandardSchema | undefined, Tools extends ToolSet>(
  options: ChatAgentOptions<Schema, Tools>,
  session: AgentSession,
  state: LoopState,
  incoming: SessionMessage,
): Promise<void> {
  const turn = state.turns;
  const logger = session.logger.child({ turn });
  let { messages: uiMessages, keepCount } = upsertMessage(state.messages, incoming.message);
  // The assistant message this turn continues (a message coming back with resolved tools), if any.
  const continued = uiMessages.at(-1)?.role === 'assistant' ? uiMessages.at(-1) : undefined;
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
  const chunks: UIMessageChunk[] = [...(recovery?.chunks ?? [])];
  const write = (chunk: UIMessageChunk) => {
    chunks.push(chunk);
    channel.write(chunk);
  };
  const writer: ChatWriter = {
    write,
    merge: (stream) => pipeChunks(stream, write, channel.stopSignal),
  };
  const { stopSignal } = channel;
  const { cancelSignal } = session;
  const signal = AbortSignal.any([stopSignal, cancelSignal]);
  const tools = (options.tools ?? {}) as Tools;
  let clientData = incoming.clientData as ClientDataOf<Schema>;
  let modelMessages: ModelMessage[] = [];
  let status: TurnStatus = 'complete';
  let error: unknown;
  let usage: Usage = { ...EMPTY_USAGE };
  let finishReason: FinishReason | undefined;

  /**
   * Validates, runs the hooks and the agent, and pipes its answer: the turn's real work. A
   * recovered turn goes on from its plan (`needsReset`: its unfinished step was dropped).
   */
  const produce = async (plan: RecoveryPlan | undefined, needsReset: boolean): Promise<void> => {
    if (options.clientDataSchema) {
      clientData = (await validateWithSchema(
        options.clientDataSchema,
        incoming.clientData,
      )) as ClientDataOf<Schema>;
    }
    if (plan?.kind === 'continue' && plan.partial) {
      uiMessages = upsertMessage(uiMessages, plan.partial).messages;
    }
    if (plan?.kind === 'continue' && plan.pendingToolCalls.length > 0) {
      // The tools run before the hooks and the model, as they would have in the dead run.
      await executePendingToolCalls(plan.pendingToolCalls, tools, {
        messages: await convertToModelMessages(
          uiMessages.filter((message) => message.id !== plan.partial?.id),
          { tools, ignoreIncompleteToolCalls: true },
        ),
        signal,
        write,
      });
      const resumed = await buildResponseMessage(chunks, continued);
      if (resumed) uiMessages = upsertMessage(uiMessages, resumed).messages;
    }
    modelMessages = await convertToModelMessages(withoutEmptyLastMessage(uiMessages), {
      tools,
      ignoreIncompleteToolCalls: true,
    });
    const common: CommonEvent<ClientDataOf<Schema>> = {
      chatId: state.chatId,
      runId: state.runId,
      clientData,
      continuation: state.continuation,
      preloaded: false,
    };
    if (turn === 0 && !state.continuation) {
      await options.onChatStart?.({ ...common, messages: modelMessages, uiMessages, writer });
    }
    await options.onTurnStart?.({
      ...common,
      messages: modelMessages,
      uiMessages,
      turn,
      previousTurnUsage: state.previousTurnUsage,
      totalUsage: state.totalUsage,
      writer,
    });
    const result = await options.run({
      ...common,
      messages: modelMessages,
      uiMessages,
      tools,
      turn,
      trigger: incoming.trigger,
      messageId: incoming.messageId,
      signal,
      stopSignal,
      cancelSignal,
      previousTurnUsage: state.previousTurnUsage,
      totalUsage: state.totalUsage,
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
    const plan = await planTurn(options, incoming, {
      chatId: state.chatId,
      turn,
      continued,
      executableTools: executableToolNames(options.tools ?? {}),
    });
    if (plan) logger.warn({ attempt: incoming.attempt ?? 1, plan: plan.kind }, 'retrying turn');
    const needsReset = plan !== undefined && plan.kind !== 'settle' && plan.needsReset;
    if (needsReset) write({ type: 'reset-step' });
    if (plan?.kind === 'give-up') {
      throw new RecoveryExhaustedError(turn, (incoming.attempt ?? 1) - 1);
    }
    // A recovered turn that had finished needs only its checkpoint: the model is not called.
    if (plan?.kind !== 'settle') await produce(plan, needsReset);
  } catch (caught) {
    error = caught;
    logger.warn({ err: caught }, 'turn failed');
    write({ type: 'error', errorText: DEFAULT_ERROR_TEXT });
  }

  if (error !== undefined || chunks.some((chunk) => chunk.type === 'error')) status = 'error';
  else if (stopSignal.aborted) status = 'stopped';

  const rawResponseMessage = await buildResponseMessage(chunks, continued);
  const responseMessage =
    rawResponseMessage && status !== 'complete'
      ? cleanupAbortedParts(rawResponseMessage)
      : rawResponseMessage;
  if (responseMessage && responseMessage.parts.length > 0) {
    const merged = upsertMessage(uiMessages, responseMessage);
    uiMessages = merged.messages;
    keepCount = Math.min(keepCount, merged.keepCount);
  }

  const totalUsage = addUsage(state.totalUsage, usage);
  await channel.complete({ status, messages: uiMessages, keepCount, totalUsage });

  const newUIMessages = uiMessages.filter(
    (message) => message.id === incoming.message.id || message.id === responseMessage?.id,
  );
  state.messages = uiMessages;
  state.turns = turn + 1;
  state.totalUsage = totalUsage;
  state.previousTurnUsage = usage;

  if (options.onTurnComplete) {
    try {
      const [messages, newMessages] = await Promise.all([
        convertToModelMessages(uiMessages, { tools, ignoreIncompleteToolCalls: true }),
        convertToModelMessages(newUIMessages, { tools, ignoreIncompleteToolCalls: true }),
      ]);
      await options.onTurnComplete({
        chatId: state.chatId,
        runId: state.runId,
        clientData,
        continuation: state.continuation,
        preloaded: false,
        messages,
        uiMessages,
        newMessages,
        newUIMessages,
        responseMessage,
        rawResponseMessage,
        turn,
        stopped: status === 'stopped',
        usage,
        totalUsage,
        finishReason,
        error,
      });
    } catch (hookError) {
      // The turn is already complete and persisted; a failing hook cannot change its outcome.
      logger.error({ err: hookError }, 'onTurnComplete failed');
    }
  }
}

/** A recovered turn may continue an assistant message that has no part yet: not for the model. */
function withoutEmptyLastMessage(messages: UIMessage[]): UIMessage[] {
  return messages.at(-1)?.parts.length === 0 ? messages.slice(0, -1) : messages;
}

function toChunkStream(
  result: ChatRunResult,
  originalMessages: UIMessage[],
  options: Pick<ChatAgentOptions<StandardSchema | undefined, ToolSet>, 'uiMessageStreamOptions'>,
): ReadableStream<UIMessageChunk> | undefined {
  if (result instanceof ReadableStream) return result;
  if (!result) return undefined;
  return toUIMessageStream({
    onError: () => DEFAULT_ERROR_TEXT,
    ...options.uiMessageStreamOptions,
    // The stream parts of any `streamText` result; the AI SDK validates them as it converts.
    stream: result.stream as Parameters<typeof toUIMessageStream>[0]['stream'],
    originalMessages,
    generateMessageId,
  });
}

async function settle<T>(promise: PromiseLike<T> | undefined): Promise<T | undefined> {
  if (!promise) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(promise),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), USAGE_WAIT_MS);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
