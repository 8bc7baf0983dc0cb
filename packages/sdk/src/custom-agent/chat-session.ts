import { EMPTY_USAGE, type Usage } from '@baton/protocol';
import type { LanguageModelUsage, ModelMessage, UIMessage } from 'ai';
import { DEFAULT_MAX_TURNS } from '../chat-agent-options.ts';
import { currentChatRun } from '../chat-context.ts';
import { cleanupAbortedParts } from '../cleanup-aborted-parts.ts';
import { settle } from '../settle.ts';
import { addUsage, toUsage } from '../usage.ts';
import { chatMessages } from './chat-messages.ts';
import type { ChatRun } from './chat-run.ts';
import { firstMessageOf } from './first-message.ts';
import { MessageAccumulator } from './message-accumulator.ts';
import { type PipeSource, pipeAndCapture, writeTurnComplete } from './pipe.ts';
import type { ChatTaskMessagePayload, ChatTaskWirePayload } from './wire-payload.ts';

export type ChatSessionOptions = {
  /** The run's cancel signal (`run`'s `signal`): a turn's `signal` aborts with it. */
  signal: AbortSignal;
  /** Warm wait between turns before the chat suspends. @default the agent's idle timeout */
  idleTimeoutInSeconds?: number;
  /** Trigger.dev's suspended-wait limit: accepted for porting, no meaning on a pool. */
  timeout?: string;
  /** Turns this run takes before the iteration ends (the next message re-enters `run`). @default 100 */
  maxTurns?: number;
};

/** A source `turn.complete` pipes: a `streamText` result (its usage is counted) or chunks. */
export type TurnSource = PipeSource & { totalUsage?: PromiseLike<LanguageModelUsage> };

/** One turn of `chat.createSession` (Trigger.dev's `ChatTurn`). */
export type ChatTurn = {
  /** 0-based, continuous across suspends and workers. */
  readonly number: number;
  readonly chatId: string;
  readonly trigger: ChatTaskMessagePayload['trigger'];
  readonly clientData: ChatTaskWirePayload['metadata'];
  /** The whole conversation as model messages: pass it to `streamText`. */
  readonly messages: ModelMessage[];
  /** The whole conversation as UI messages: for persistence. */
  readonly uiMessages: UIMessage[];
  /** Aborts on a user stop of this turn or a cancelled run: pass it as `abortSignal`. */
  readonly signal: AbortSignal;
  /** Whether the user stopped this turn. */
  readonly stopped: boolean;
  readonly continuation: boolean;
  readonly previousTurnUsage: Usage | undefined;
  readonly totalUsage: Usage;
  /** Pipes the response, captures and accumulates it (cleaned after a stop), ends the turn. */
  complete(source: TurnSource): Promise<void>;
  /** Ends the turn after piping yourself (`chat.pipeAndCapture` + `addResponse`). */
  done(): Promise<void>;
  addResponse(message: UIMessage): Promise<void>;
  setMessages(messages: UIMessage[]): Promise<void>;
  /** The `prepareStep` for `streamText` (compaction and steering come later: none for now). */
  prepareStep(): undefined;
};

/**
 * The managed loop of a custom agent (Trigger.dev's `chat.createSession`): an async iterator of
 * turns, each with the whole conversation, a fresh stop+cancel signal and helpers to finish it.
 * On Baton the conversation starts from the chat's checkpoint, so turn numbers and history
 * continue after an idle suspend or on another worker (docs/agents/custom-agents.md). The
 * iteration ends when the chat suspends, moves to another worker, or after `maxTurns`; then
 * return from `run`. On the run a preload started (`payload.trigger === "preload"`) it waits for
 * the first message before turn 0 (docs/agents/preload.md).
 *
 * @example
 * ```ts
 * for await (const turn of chat.createSession(payload, { signal })) {
 *   await turn.complete(streamText({ model, messages: turn.messages, abortSignal: turn.signal }));
 * }
 * ```
 */
export async function* createSession(
  payload: ChatTaskWirePayload,
  options: ChatSessionOptions,
): AsyncGenerator<ChatTurn, void, undefined> {
  const run = currentChatRun('chat.createSession');
  const conversation = new MessageAccumulator();
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  let previousTurnUsage: Usage | undefined;
  const first = await firstMessageOf(payload, options);
  if (!first) return;
  let current = first;
  for (let taken = 0; taken < maxTurns; ) {
    if (current.action !== undefined) {
      // Trigger.dev's createSession has no actions: the request is answered with nothing and no
      // turn is used up, as by a `chat.agent` without `onAction`.
      run.session.logger.warn({}, 'an action reached chat.createSession, which has none: ignored');
      await writeTurnComplete();
    } else {
      const { turn, usage } = await openTurn(
        run,
        conversation,
        current,
        options,
        taken,
        previousTurnUsage,
      );
      yield turn;
      taken += 1;
      previousTurnUsage = usage();
      if (options.signal.aborted) return;
    }
    const next = await chatMessages.waitWithIdleTimeout(
      options.idleTimeoutInSeconds === undefined
        ? {}
        : { idleTimeoutInSeconds: options.idleTimeoutInSeconds },
    );
    if (!next.ok) return;
    current = next.output;
  }
}

/** The turn of `current` on the session's conversation, and the usage its `complete` counted. */
async function openTurn(
  run: ChatRun,
  conversation: MessageAccumulator,
  current: ChatTaskMessagePayload,
  options: ChatSessionOptions,
  taken: number,
  previousTurnUsage: Usage | undefined,
): Promise<{ turn: ChatTurn; usage: () => Usage }> {
  const messages = await conversation.addIncoming([current.message], current.trigger, taken);
  const stopSignal = run.stopSignal ?? new AbortController().signal;
  const signal = AbortSignal.any([options.signal, stopSignal]);
  let usage: Usage = { ...EMPTY_USAGE };
  const turn: ChatTurn = {
    number: run.turns,
    chatId: current.chatId,
    trigger: current.trigger,
    clientData: current.metadata,
    messages,
    get uiMessages() {
      return conversation.uiMessages;
    },
    signal,
    get stopped() {
      return stopSignal.aborted;
    },
    continuation: current.continuation,
    previousTurnUsage,
    totalUsage: run.totalUsage,
    async complete(source) {
      const { message } = await pipeAndCapture(source, { signal });
      if ('stream' in source && source.totalUsage) {
        usage = toUsage(await settle(source.totalUsage));
      }
      // A cancelled run ends here: the next holder recovers the turn.
      if (options.signal.aborted) return;
      if (message) {
        await conversation.addResponse(stopSignal.aborted ? cleanupAbortedParts(message) : message);
      }
      await turn.done();
    },
    async done() {
      run.totalUsage = addUsage(run.totalUsage, usage);
      await writeTurnComplete();
    },
    addResponse: (message) => conversation.addResponse(message),
    setMessages: (uiMessages) => conversation.setMessages(uiMessages),
    prepareStep: () => undefined,
  };
  return { turn, usage: () => usage };
}
