import type { ChatTrigger, Usage } from '@baton/protocol';
import type {
  FinishReason,
  LanguageModelUsage,
  ModelMessage,
  SystemModelMessage,
  streamText,
  ToolSet,
  UIMessage,
  UIMessageChunk,
  UIMessageStreamOptions,
} from 'ai';
import type { ChatActionOptions } from './chat-action.ts';
import type {
  Awaitable,
  ChatAgentHooks,
  CommonEvent,
  PrepareMessagesEvent,
  ResolveToolsEvent,
} from './chat-agent-hooks.ts';
import type { InferSchemaOutput, StandardSchema } from './standard-schema.ts';
import type { TranscriptStorage } from './transcript/transcript-storage.ts';
import type { RecoveryOptions } from './turn-recovery.ts';

/** Trigger.dev's defaults (reference section 2.1). */
export const DEFAULT_MAX_TURNS = 100;
export const DEFAULT_TURN_TIMEOUT = '1h';

export type ChatRunPayload<ClientData, Tools extends ToolSet> = CommonEvent<ClientData> & {
  /** The accumulated conversation as model messages (after `prepareMessages`), for `streamText`. */
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  /** The agent's tools for this turn (the per-turn function resolved); `{}` when none. */
  tools: Tools;
  turn: number;
  /** `action-turn` for the turn an action asked for with `chat.turn()`. */
  trigger: TurnTrigger;
  messageId: string | undefined;
  /** Aborts on a user stop or a cancelled run: pass it to `streamText` as `abortSignal`. */
  signal: AbortSignal;
  /** Aborts on a user stop of this turn only. */
  stopSignal: AbortSignal;
  /** Aborts when the run may no longer write the chat (lease lost, forced shutdown). */
  cancelSignal: AbortSignal;
  previousTurnUsage: Usage | undefined;
  totalUsage: Usage;
  /**
   * The AI SDK's `streamText`, managed (Trigger.dev 4.6): it carries the agent's `system`, merges
   * the agent's tools under the call's, composes its `prepareStep` before the call's, and hands
   * `chat.inject` messages to the model. Passing `system` here when the agent set one throws.
   */
  streamText: typeof streamText;
};

/** What started a turn: a message of the client's, or an action (`chat.turn()`). */
export type TurnTrigger = ChatTrigger | 'action-turn';

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

export type ChatAgentOptions<
  Schema extends StandardSchema | undefined = undefined,
  Tools extends ToolSet = ToolSet,
  ActionSchema extends StandardSchema | undefined = undefined,
> = ChatAgentHooks<ClientDataOf<Schema>> &
  ChatActionOptions<ClientDataOf<Schema>, ActionSchema> & {
    /** The agent id: what `POST /v1/sessions` names and `GET /v1/agents` lists. */
    id: string;
    /** The version workers register for this agent. @default the worker's BATON_AGENT_VERSION */
    version?: string;
    run: (payload: ChatRunPayload<ClientDataOf<Schema>, Tools>) => Awaitable<ChatRunResult>;
    /** A tool set, or a function that picks one per turn (e.g. by plan in the client data). */
    tools?: Tools | ((event: ResolveToolsEvent<ClientDataOf<Schema>>) => Awaitable<Tools>);
    /**
     * Where the conversation is also written, e.g. one row per message in your own database
     * (Trigger.dev's `TranscriptStorage`, docs/agents/transcript-storage.md). Baton's checkpoint
     * stays the runtime's; the storage gets every change and may own the model context.
     */
    storage?: TranscriptStorage<ClientDataOf<Schema>>;
    /** Validates each turn's client data (the request body's extra fields). */
    clientDataSchema?: Schema;
    /**
     * The system prompt (instructions) the managed `streamText` of `run` carries; `chat.inject`
     * system messages are appended to it for one call.
     */
    system?: string | SystemModelMessage | SystemModelMessage[];
    /**
     * Which tool calls wait for a person's approval (the AI SDK's `streamText` `toolApproval`), for
     * the managed `streamText` of `run` (a call's own wins). Declared here rather than only at the
     * call, it also tells turn recovery which pending tool calls it must not run by itself.
     */
    toolApproval?: Parameters<typeof streamText>[0]['toolApproval'];
    /**
     * Warm wait after a turn before the chat is checkpointed and its job released. Changed at run
     * time with `chat.setIdleTimeoutInSeconds`.
     * @default the worker's BATON_IDLE_TIMEOUT_SECONDS, else 30
     */
    idleTimeoutInSeconds?: number;
    /**
     * Warm wait of a preloaded run for its first message (docs/agents/preload.md); past it the
     * chat suspends (`onChatSuspend`, phase `preload`) and the first message resumes it on any
     * worker.
     * @default idleTimeoutInSeconds
     */
    preloadIdleTimeoutInSeconds?: number;
    /**
     * Trigger.dev's suspended wait of a preloaded run; accepted for porting and has no effect, as
     * `turnTimeout`: a suspended Baton chat has no run to time out.
     * @default turnTimeout
     */
    preloadTimeout?: string;
    /**
     * Turns one run answers before it hands the chat back to the pool; the next message is
     * answered by a new run on any worker, after `onChatSuspend` / `onChatResume`.
     * @default 100
     */
    maxTurns?: number;
    /**
     * Accepted for porting (a duration such as `"1h"`, `"30m"`) and has no effect: on Trigger.dev it
     * bounds a suspended run's wait, and a suspended Baton chat has no run to time out (see
     * docs/agents/hooks.md).
     * @default "1h"
     */
    turnTimeout?: string;
    /** Transforms the model messages before `run` gets them (cache breakpoints, context). */
    prepareMessages?: (
      event: PrepareMessagesEvent<ClientDataOf<Schema>>,
    ) => Awaitable<ModelMessage[]>;
    /** How a turn whose worker died is recovered (docs/architecture.md, "Recovery"). */
    recovery?: RecoveryOptions;
    /** Options of the AI SDK's `toUIMessageStream`; the runtime owns the history and the ends. */
    uiMessageStreamOptions?: Omit<
      UIMessageStreamOptions<UIMessage>,
      'originalMessages' | 'onEnd' | 'onFinish' | 'generateMessageId'
    >;
  };

export type ClientDataOf<Schema> = Schema extends StandardSchema
  ? InferSchemaOutput<Schema>
  : Record<string, unknown> | undefined;
