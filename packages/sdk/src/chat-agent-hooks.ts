import type { ChatTrigger, Usage } from '@baton/protocol';
import type { FinishReason, ModelMessage, UIMessage, UIMessageChunk } from 'ai';

/**
 * The events of `chat.agent`'s hooks, with Trigger.dev's names and shapes (its `ctx` and
 * `chatAccessToken` have no counterpart on Baton). The order they fire in, and how Baton maps
 * suspend and resume onto a pool of workers, is in docs/agents/hooks.md.
 */

export type Awaitable<T> = T | Promise<T>;

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
  /**
   * The chat was started by a preload (`POST /v1/sessions` with `preload: true`): true on every
   * event of the preloaded run, and of the runs that resume it after an idle suspend (Trigger.dev's
   * suspended run is the same run). docs/agents/preload.md.
   */
  preloaded: boolean;
};

/**
 * `onPreload`: the chat's run started before its first message (docs/agents/preload.md). Fires
 * once, in the run the preload started, before it waits for the first message. `clientData` is
 * the session's (`POST /v1/sessions` `clientData`), validated by `clientDataSchema`.
 *
 * Trigger.dev's event also has a `writer`; Baton's has none: a chat's output is written per turn
 * (from its `turn-start` on), and a client reads only the turn that answers its message, so
 * chunks written before the first message would reach no one. Its `ctx` and `chatAccessToken`
 * have no counterpart on Baton.
 */
export type PreloadEvent<ClientData> = {
  chatId: string;
  /** The BullMQ job that runs the chat now: the run that answers the first message. */
  runId: string;
  clientData: ClientData;
};

export type ChatStartEvent<ClientData> = CommonEvent<ClientData> & {
  messages: ModelMessage[];
  uiMessages: UIMessage[];
  writer: ChatWriter;
};

/** `onValidateMessages`: the turn's incoming messages, before they join the history. */
export type ValidateMessagesEvent = {
  /** The incoming UI messages of this turn (Baton's wire carries one). */
  messages: UIMessage[];
  chatId: string;
  turn: number;
  trigger: ChatTrigger;
};

/** `hydrateMessages` (deprecated upstream, kept for porting): the history from the author's store. */
export type HydrateMessagesEvent<ClientData> = {
  chatId: string;
  turn: number;
  /** The request's trigger; `action` for a custom action (`onAction` follows), as in Trigger.dev. */
  trigger: ChatTrigger | 'action';
  /** The validated incoming messages (none for an action). */
  incomingMessages: UIMessage[];
  /** The history before this turn (Baton's checkpoint). */
  previousMessages: UIMessage[];
  clientData: ClientData;
  continuation: boolean;
  /** The run before a continuation; Baton does not keep it. */
  previousRunId: string | undefined;
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

/** `onBeforeTurnComplete`: the turn's outcome while its output is still open. */
export type BeforeTurnCompleteEvent<ClientData> = TurnCompleteEvent<ClientData> & {
  /** Chunks written here reach the client before `turn-complete`, and persist unless transient. */
  writer: ChatWriter;
};

/**
 * `onChatSuspend` / `onChatResume`. Phase `preload`: a preloaded chat idled out before its first
 * message (its client data is the session's); the first message then resumes it, with
 * `onChatResume` before its turn. Phase `turn`: after a turn.
 */
export type ChatSuspendEvent<ClientData> =
  | { phase: 'preload'; chatId: string; runId: string; clientData?: ClientData }
  | {
      phase: 'turn';
      chatId: string;
      runId: string;
      /** The last completed turn (0-based). */
      turn: number;
      /** The history as of that turn. */
      messages: ModelMessage[];
      uiMessages: UIMessage[];
      clientData?: ClientData;
    };

export type ChatResumeEvent<ClientData> = ChatSuspendEvent<ClientData>;

/** `prepareMessages`: the model messages about to reach `run`, e.g. to add cache breakpoints. */
export type PrepareMessagesEvent<ClientData> = {
  messages: ModelMessage[];
  /** Only `run` on Baton until compaction lands (`compaction-rebuild`, `compaction-result`). */
  reason: 'run' | 'compaction-rebuild' | 'compaction-result';
  chatId: string;
  turn: number;
  clientData?: ClientData;
};

/** What the per-turn form of `tools` gets. */
export type ResolveToolsEvent<ClientData> = {
  chatId: string;
  turn: number;
  continuation: boolean;
  clientData: ClientData;
};

/**
 * The hooks of `chat.agent`, in the order they fire: `onPreload` (a preloaded run, before it
 * waits for the first message); then for a turn `onChatResume` (first turn after a suspend),
 * `onValidateMessages`, `hydrateMessages`, `onChatStart` (turn 0 of a chat), `onTurnStart`, then
 * `prepareMessages` and `run`, `onBeforeTurnComplete`, `onTurnComplete`; and `onChatSuspend`
 * before the chat leaves its worker.
 */
export type ChatAgentHooks<ClientData> = {
  /**
   * The chat was preloaded: runs once, before the first message, while the user types (load the
   * user, warm caches, `chat.local.init`). A throw is logged; the run goes on to wait for the
   * first message. docs/agents/preload.md.
   */
  onPreload?: (event: PreloadEvent<ClientData>) => Awaitable<void>;
  onChatStart?: (event: ChatStartEvent<ClientData>) => Awaitable<void>;
  /** Returns the messages to accumulate; a throw ends the turn with an error, the chat goes on. */
  onValidateMessages?: (event: ValidateMessagesEvent) => Awaitable<UIMessage[]>;
  /**
   * Returns the whole history for this turn, replacing the runtime's; incoming messages with a
   * known id are merged into it. Deprecated, as in Trigger.dev 4.6: Baton's checkpoint already
   * holds the history, and writes it whether or not this hook is set.
   * @deprecated
   */
  hydrateMessages?: (event: HydrateMessagesEvent<ClientData>) => Awaitable<UIMessage[]>;
  onTurnStart?: (event: TurnStartEvent<ClientData>) => Awaitable<void>;
  onBeforeTurnComplete?: (event: BeforeTurnCompleteEvent<ClientData>) => Awaitable<void>;
  onTurnComplete?: (event: TurnCompleteEvent<ClientData>) => Awaitable<void>;
  onChatSuspend?: (event: ChatSuspendEvent<ClientData>) => Awaitable<void>;
  onChatResume?: (event: ChatResumeEvent<ClientData>) => Awaitable<void>;
};
