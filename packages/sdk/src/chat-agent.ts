import { type ChatTrigger, EMPTY_USAGE, type TurnStatus, type Usage } from '@baton/protocol';
import {
  convertToModelMessages,
  createIdGenerator,
  type FinishReason,
  type LanguageModelUsage,
  type ModelMessage,
  type ToolSet,
  toUIMessageStream,
  type UIMessage,
  type UIMessageChunk,
  type UIMessageStreamOptions,
} from 'ai';
import type { AgentSession, SessionMessage, SessionState } from './agent-session.ts';
import { cleanupAbortedParts } from './cleanup-aborted-parts.ts';
import { executableToolNames, executePendingToolCalls } from './pending-tool-calls.ts';
import {
  type InferSchemaOutput,
  type StandardSchema,
  validateWithSchema,
} from './standard-schema.ts';
import { buildResponseMessage, pipeChunks } from './turn-output.ts';
import { planRecovery, type RecoveryOptions, withoutFirstStepStart } from './turn-recovery.ts';
import { addUsage, toUsage } from './usage.ts';

/** Writes extra chunks into the current turn's output (custom `data-*` parts and the like). */
export type ChatWriter = {
  write(chunk: UIMessageChunk): void;
  merge(stream: ReadableStream<UIMessageChunk>): Promise<void>;
};

type CommonEvent<ClientData> = {
  chatId: string;
  /** The BullMQ job that runs the chat now. */
  runId: string;
  clientData: ClientData;
  /** A run after one that ended abnormally (Trigger.dev's meaning). */
  continuation: boolean;
  /** Preloading is not part of Baton yet; always `false`. */
  preloaded: boolean;
};

export type ChatStartEvent<ClientData> = CommonEvent<ClientData> & {
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  writer: ChatWriter;
};

export type TurnStartEvent<ClientData> = CommonEvent<ClientData> & {
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  /** 0-based, continuous across suspends and workers. */
  turn: number;
  previousTurnUsage: Usage | undefined;
  totalUsage: Usage;
  writer: ChatWriter;
};

export type TurnCompleteEvent<ClientData> = CommonEvent<ClientData> & {
  /** The model messages after the turn. */
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  /** The turn's incoming message and response, as model messages. */
  newMessages: ModelMessage[];
  newUIMessages: UIMessage[];
  /** The response as persisted (aborted parts cleaned). */
  responseMessage: UIMessage | undefined;
  /** The response as streamed. */
  rawResponseMessage: UIMessage | undefined;
  turn: number;
  stopped: boolean;
  usage: Usage;
  totalUsage: Usage;
  finishReason: FinishReason | undefined;
  error: unknown;
};

export type ChatRunPayload<ClientData, Tools extends ToolSet> = CommonEvent<ClientData> & {
  /** The accumulated conversation as model messages, ready for `streamText`. */
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  tools: Tools;
  turn: number;
  trigger: ChatTrigger;
  messageId: string | undefined;
  /** Aborts on a user stop or a cancelled run: pass it to `streamText` as `abortSignal`. */
  signal: AbortSignal;
  /** Aborts on a user stop of this turn only. */
  stopSignal: AbortSignal;
  /** Aborts when the run may no longer write the chat (lease lost, forced shutdown). */
  cancelSignal: AbortSignal;
  previousTurnUsage: Usage | undefined;
  totalUsage: Usage;
};

/** What `run` may return: a `streamText` result, a UI message chunk stream, or nothing. */
export type ChatRunResult =
  | {
      stream: ReadableStream<unknown>;
      totalUsage?: PromiseLike<LanguageModelUsage>;
      finishReason?: PromiseLike<FinishReason>;
    }
  | ReadableStream<UIMessageChunk>
  // biome-ignore lint/suspicious/noConfusingVoidType: `run` may return nothing after piping itself.
  | void
  | undefined;

type Awaitable<T> = T | Promise<T>;

export type ChatAgentOptions<
  Schema extends StandardSchema | undefined = undefined,
  Tools extends ToolSet = ToolSet,
> = {
  /** The agent id: what `POST /v1/sessions` names and `GET /v1/agents` lists. */
  id: string;
  /** The version workers register for this agent. @default the worker's BATON_AGENT_VERSION */
  version?: string;
  run: (payload: ChatRunPayload<ClientDataOf<Schema>, Tools>) => Awaitable<ChatRunResult>;
  tools?: Tools;
  /** Validates each turn's client data (the request body's extra fields). */
  clientDataSchema?: Schema;
  /**
   * Warm wait after a turn before the chat is checkpointed and its job released.
   * @default the worker's BATON_IDLE_TIMEOUT_SECONDS, else 30
   */
  idleTimeoutInSeconds?: number;
  /** How a turn whose worker died is recovered (DESIGN.md section 6). */
  recovery?: RecoveryOptions;
  /** Options of the AI SDK's `toUIMessageStream`; the runtime owns the history and the ends. */
  uiMessageStreamOptions?: Omit<
    UIMessageStreamOptions<UIMessage>,
    'originalMessages' | 'onEnd' | 'onFinish' | 'generateMessageId'
  >;
  onChatStart?: (event: ChatStartEvent<ClientDataOf<Schema>>) => Awaitable<void>;
  onTurnStart?: (event: TurnStartEvent<ClientDataOf<Schema>>) => Awaitable<void>;
  onTurnComplete?: (event: TurnCompleteEvent<ClientDataOf<Schema>>) => Awaitable<void>;
};

type ClientDataOf<Schema> = Schema extends StandardSchema
  ? InferSchemaOutput<Schema>
  : Record<string, unknown> | undefined;

/** Settings a worker gives every session it runs. */
export type AgentRuntimeDefaults = { idleTimeoutInSeconds: number };

const AGENT_MARKER = Symbol.for('baton.agent');

/** A registered agent, as the worker loads it from an agent module. */
export type AgentDefinition = {
  readonly id: string;
  readonly version: string | undefined;
  readonly idleTimeoutInSeconds: number | undefined;
  /** Runs the chat until it suspends, is handed over or is cancelled. */
  runSession(
    session: AgentSession,
    defaults: AgentRuntimeDefaults,
  ): Promise<'suspended' | 'handed-over' | 'cancelled'>;
  readonly [AGENT_MARKER]: true;
};

export function isAgentDefinition(value: unknown): value is AgentDefinition {
  return typeof value === 'object' && value !== null && AGENT_MARKER in value;
}

/** A turn whose runs died more often than `recovery.maxAttempts` allows. */
export class RecoveryExhaustedError extends Error {
  constructor(turn: number, attempt: number) {
    super(`turn ${turn} was not recovered: attempt ${attempt} exceeds the recovery budget`);
    this.name = 'RecoveryExhaustedError';
  }
}

/** The usage promises of the AI SDK may never settle after an abort (Trigger.dev waits 2 s). */
const USAGE_WAIT_MS = 2000;
const DEFAULT_ERROR_TEXT = 'An error occurred while generating the response.';
const generateMessageId = createIdGenerator({ prefix: 'msg', size: 24 });

/**
 * Defines a chat agent with the managed turn loop (Trigger.dev's `chat.agent`): each message on
 * the chat becomes a turn; `run` gets the accumulated conversation and returns a `streamText`
 * result, which is piped to the chat and accumulated server-side, so clients send only their new
 * message. An error in `run` or a hook ends the turn with an `error` chunk; the chat goes on.
 *
 * @example
 * ```ts
 * export const assistant = chat.agent({
 *   id: 'assistant',
 *   run: ({ messages, signal }) =>
 *     streamText({ model: openai('gpt-5-mini'), messages, abortSignal: signal }),
 * });
 * ```
 */
export function chatAgent<
  Schema extends StandardSchema | undefined = undefined,
  Tools extends ToolSet = ToolSet,
>(options: ChatAgentOptions<Schema, Tools>): AgentDefinition {
  return {
    id: options.id,
    version: options.version,
    idleTimeoutInSeconds: options.idleTimeoutInSeconds,
    [AGENT_MARKER]: true,
    async runSession(session, defaults) {
      const idleTimeoutMs = (options.idleTimeoutInSeconds ?? defaults.idleTimeoutInSeconds) * 1000;
      const state: LoopState = {
        ...session.state,
        messages: [...session.state.messages],
        previousTurnUsage: undefined,
      };
      for (;;) {
        const next = await session.waitForMessage({ idleTimeoutMs });
        if (!next.ok) return next.reason;
        await runTurn(options, session, state, next.message);
      }
    },
  };
}

type LoopState = SessionState & { previousTurnUsage: Usage | undefined };

async function runTurn<Schema extends StandardSchema | undefined, Tools extends ToolSet>(
  options: ChatAgentOptions<Schema, Tools>,
  session: AgentSession,
  state: LoopState,
  incoming: SessionMessage,
): Promise<void> {
  const turn = state.turns;
  const logger = session.logger.child({ turn });
  let { messages: uiMessages, keepCount } = upsert(state.messages, incoming.message);
  // The assistant message this turn continues (a message coming back with resolved tools), if any.
  const continued = uiMessages.at(-1)?.role === 'assistant' ? uiMessages.at(-1) : undefined;
  const { recovery } = incoming;
  const plan = recovery
    ? await planRecovery(recovery, options.recovery, {
        chatId: state.chatId,
        turn,
        continued,
        executableTools: executableToolNames(options.tools ?? {}),
      })
    : undefined;
  const needsReset = plan !== undefined && plan.kind !== 'settle' && plan.needsReset;
  const channel = await session.startTurn({
    turn,
    inputId: incoming.inputId,
    ...(recovery ? { recovery: { attempt: recovery.attempt, resetStep: needsReset } } : {}),
  });
  if (recovery) logger.warn({ attempt: recovery.attempt, plan: plan?.kind }, 'recovering turn');
  // The dead attempts' chunks stay part of the turn: the persisted answer is what a client that
  // watched every attempt holds.
  const chunks: UIMessageChunk[] = [
    ...(recovery?.chunks ?? []),
    ...(needsReset ? [{ type: 'reset-step' } as const] : []),
  ];
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
  if (plan?.kind === 'continue' && plan.partial) {
    uiMessages = upsert(uiMessages, plan.partial).messages;
  }
  const tools = (options.tools ?? {}) as Tools;
  let clientData = incoming.clientData as ClientDataOf<Schema>;
  let modelMessages: ModelMessage[] = [];
  let status: TurnStatus = 'complete';
  let error: unknown;
  let usage: Usage = { ...EMPTY_USAGE };
  let finishReason: FinishReason | undefined;

  /** Validates, runs the hooks and the agent, and pipes its answer: the turn's real work. */
  const produce = async (): Promise<void> => {
    if (options.clientDataSchema) {
      clientData = (await validateWithSchema(
        options.clientDataSchema,
        incoming.clientData,
      )) as ClientDataOf<Schema>;
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
      if (resumed) uiMessages = upsert(uiMessages, resumed).messages;
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
    if (plan?.kind === 'give-up') {
      throw new RecoveryExhaustedError(turn, recovery?.attempt ?? 0);
    }
    // A recovered turn that had finished needs only its checkpoint: the model is not called.
    if (plan?.kind !== 'settle') await produce();
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
    const merged = upsert(uiMessages, responseMessage);
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

function upsert(history: readonly UIMessage[], incoming: UIMessage) {
  const index = history.findIndex((message) => message.id === incoming.id);
  if (index === -1) return { messages: [...history, incoming], keepCount: history.length };
  return { messages: [...history.slice(0, index), incoming], keepCount: index };
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
