import type { ChatTrigger, Usage } from '@baton/protocol';
import type {
  FinishReason,
  LanguageModelUsage,
  ModelMessage,
  ToolSet,
  UIMessage,
  UIMessageChunk,
  UIMessageStreamOptions,
} from 'ai';
import type { InferSchemaOutput, StandardSchema } from './standard-schema.ts';
import type { RecoveryOptions } from './turn-recovery.ts';

/** Writes extra chunks into the current turn's output (custom `data-*` parts and the like). */
export type ChatWriter = {
  write(chunk: UIMessageChunk): void;
  merge(stream: ReadableStream<UIMessageChunk>): Promise<void>;
};

export type CommonEvent<ClientData> = {
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

export type Awaitable<T> = T | Promise<T>;

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
  /** How a turn whose worker died is recovered (docs/architecture.md, "Recovery"). */
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

export type ClientDataOf<Schema> = Schema extends StandardSchema
  ? InferSchemaOutput<Schema>
  : Record<string, unknown> | undefined;
