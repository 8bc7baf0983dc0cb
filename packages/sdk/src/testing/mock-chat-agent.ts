import type { ChatTrigger, TurnStatus } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { AgentDefinition, RunEndReason } from '../agent-definition.ts';
import type { Logger } from '../logger.ts';
import { HarnessSession } from './harness-session.ts';
import type { RecordedTurn } from './memory-session.ts';
import { type LogEntry, recordingLogger } from './recording-logger.ts';
import { type ToolOutputResponse, withApprovalResponse, withToolOutput } from './tool-responses.ts';

/** A worker's default warm wait (`BATON_IDLE_TIMEOUT_SECONDS`). */
const WORKER_IDLE_TIMEOUT_SECONDS = 30;

export type MockChatAgentOptions = {
  /** @default 'test-chat' */
  chatId?: string;
  /** The client data of every message (the request body's extra fields), unless one sets its own. */
  clientData?: Record<string, unknown>;
  /**
   * The checkpoint the first run finds: a chat that ran before (Trigger.dev's `snapshot`). Its
   * first run is then a resume, and `onChatResume` fires before its first turn.
   */
  messages?: UIMessage[];
  /** Completed turns of that chat. @default the number of assistant messages in `messages` */
  turns?: number;
  /**
   * The first run follows one that died (Trigger.dev's `continuation`): neither `onChatStart` nor
   * `onChatResume` fires. @default false
   */
  continuation?: boolean;
  /**
   * What the harness's worker sets as the default idle timeout (an agent's own
   * `idleTimeoutInSeconds` wins). It runs in real time; `suspend()` makes it pass at once.
   * @default 30
   */
  idleTimeoutInSeconds?: number;
  /** @default a logger that keeps every line in `logs` */
  logger?: Logger;
};

export type SendOptions = {
  /** This message's client data. @default the harness's `clientData` */
  clientData?: Record<string, unknown>;
};

/** One turn as the test sees it: what the client received and what the chat checkpointed. */
export type MockChatAgentTurn = {
  /** 0-based, continuous across runs. */
  turn: number;
  /** The run that answered it: `memory-run`, then `memory-run-2` after a suspend, and so on. */
  runId: string;
  status: TurnStatus;
  /** The UI message chunks the client received (Baton's `turn-complete` is not a chunk). */
  chunks: UIMessageChunk[];
  /** The text of the turn's `text-delta` chunks. */
  text: string;
  /** The assistant message of the turn as checkpointed (aborted parts cleaned after a stop). */
  responseMessage: UIMessage | undefined;
  /** The checkpoint after the turn: the whole conversation. */
  messages: UIMessage[];
};

type PendingSend = {
  inputId: string;
  resolve: (turn: MockChatAgentTurn) => void;
  reject: (error: unknown) => void;
};

type ChunkWaiter = {
  matches: (chunk: UIMessageChunk) => boolean;
  resolve: (chunk: UIMessageChunk) => void;
  reject: (error: unknown) => void;
};

/**
 * Runs an agent offline in a unit test (Trigger.dev's `mockChatAgent` of `@trigger.dev/sdk/ai/test`):
 * any `AgentDefinition`, a `chat.agent` as a `chat.customAgent`, on an in-memory session, with the
 * real turn loop, hooks, accumulation, stops and checkpoints. Only the model (see
 * `scriptedModel`) and the worker are replaced.
 *
 * Each `send*` resolves once the agent is done with the turn: its `onTurnComplete` has returned
 * and the agent waits for the next message (or suspended). So, unlike Trigger.dev's harness, a
 * test asserts on hook side effects without a pause.
 *
 * The run stays warm between turns, as on a worker; `suspend()` lets the idle timeout pass, and
 * the next message resumes the chat in a new run (`onChatSuspend`, then `onChatResume`).
 *
 * @example
 * ```ts
 * const model = scriptedModel(['Hello!']);
 * const harness = mockChatAgent(
 *   chat.agent({ id: 'greeter', run: ({ messages }) => streamText({ model, messages }) }),
 * );
 * const turn = await harness.sendMessage('hi');
 * expect(turn.text).toBe('Hello!');
 * await harness.close();
 * ```
 */
export function mockChatAgent(
  agent: AgentDefinition,
  options: MockChatAgentOptions = {},
): MockChatAgentHarness {
  return new MockChatAgentHarness(agent, options);
}

/** The harness {@link mockChatAgent} returns. */
export class MockChatAgentHarness {
  readonly chatId: string;
  /** The in-memory session under the harness: its `runEnds`, `closedReason`, recorded turns. */
  readonly session: HarnessSession;
  /** What the runtime logged (with the harness's default logger): a failed turn's cause is here. */
  readonly logs: LogEntry[] = [];
  /** Every chunk of every turn, in order (Trigger.dev's `allChunks`). */
  readonly allChunks: UIMessageChunk[] = [];
  readonly #agent: AgentDefinition;
  readonly #clientData: Record<string, unknown> | undefined;
  readonly #idleTimeoutInSeconds: number;
  readonly #pending: PendingSend[] = [];
  readonly #chunkWaiters = new Set<ChunkWaiter>();
  #running: Promise<void> | undefined;
  #nextUserId = 1;
  #isClosed = false;

  constructor(agent: AgentDefinition, options: MockChatAgentOptions) {
    this.#agent = agent;
    this.chatId = options.chatId ?? 'test-chat';
    this.#clientData = options.clientData;
    this.#idleTimeoutInSeconds = options.idleTimeoutInSeconds ?? WORKER_IDLE_TIMEOUT_SECONDS;
    const messages = options.messages ?? [];
    this.session = new HarnessSession({
      chatId: this.chatId,
      messages,
      turns: options.turns ?? messages.filter((message) => message.role === 'assistant').length,
      continuation: options.continuation ?? false,
      logger: options.logger ?? recordingLogger(this.logs),
    });
    this.session.listen({
      onSettled: () => this.#settle(),
      onChunk: (chunk) => this.#onChunk(chunk),
    });
  }

  /** The checkpoint: the conversation as a worker persisted it after the last turn. */
  get messages(): UIMessage[] {
    return this.session.messages;
  }

  /** Every completed turn so far, in order. */
  get turns(): MockChatAgentTurn[] {
    return this.session.turns.flatMap((recorded) => {
      const turn = this.#toTurn(recorded);
      return turn ? [turn] : [];
    });
  }

  /** How each run ended, in order: `suspended`, `handed-over`, `closed`, `cancelled`. */
  get runEnds(): readonly RunEndReason[] {
    return this.session.runEnds;
  }

  /**
   * Sends a message, as `useChat().sendMessage` does: a text becomes a user message with the id
   * `user-<n>`; a `UIMessage` goes as it is (an edit, when its id is known: the history after it
   * is dropped). Resolves with its turn.
   */
  sendMessage(message: string | UIMessage, options: SendOptions = {}): Promise<MockChatAgentTurn> {
    const uiMessage: UIMessage =
      typeof message === 'string'
        ? {
            id: `user-${this.#nextUserId++}`,
            role: 'user',
            parts: [{ type: 'text', text: message }],
          }
        : message;
    return this.#send(uiMessage, 'submit-message', undefined, options);
  }

  /**
   * Regenerates the last answer, or the one of `messageId`, as `useChat().regenerate()` does: the
   * client drops the answer and sends the message before it again with `regenerate-message`.
   * Trigger.dev's `sendRegenerate` takes the history; Baton's worker holds it, so none is passed.
   */
  sendRegenerate(options: SendOptions & { messageId?: string } = {}): Promise<MockChatAgentTurn> {
    const { messageId } = options;
    const history = this.messages;
    const index =
      messageId === undefined
        ? history.length - 1
        : history.findIndex((message) => message.id === messageId);
    const target = history[index];
    const kept =
      target?.role === 'assistant' ? history.slice(0, index) : history.slice(0, index + 1);
    const last = kept.at(-1);
    if (!last) return Promise.reject(new Error('sendRegenerate: no message to regenerate'));
    return this.#send(last, 'regenerate-message', messageId, options);
  }

  /**
   * Approves a tool call awaiting approval (`needsApproval`) and sends its message back, as
   * `addToolApprovalResponse` with `sendAutomaticallyWhen` does: the tool runs, then the model
   * goes on. Baton's addition: Trigger.dev's harness sends the message built by hand.
   * One call per request: to answer several calls of one message at once, send the message with
   * every part `approval-responded` through `sendMessage`.
   */
  approveTool(toolCallId: string, options: SendOptions & { reason?: string } = {}) {
    return this.#respond(toolCallId, true, options);
  }

  /** Denies a tool call awaiting approval: it never runs; the model sees the denial. */
  denyTool(toolCallId: string, options: SendOptions & { reason?: string } = {}) {
    return this.#respond(toolCallId, false, options);
  }

  /**
   * Supplies the output of a tool call the agent could not run (a tool without `execute`), as
   * `addToolOutput` with `sendAutomaticallyWhen` does, and sends its message back.
   */
  addToolOutput(response: ToolOutputResponse, options: SendOptions = {}) {
    const message = withToolOutput(this.messages, response);
    return this.#send(message, 'submit-message', message.id, options);
  }

  /**
   * Stops the turn in flight, as `useChat().stop()` does (`POST /api/chat/:id/stop`); its
   * `send*` resolves with status `stopped`. Does nothing when no turn is in flight: to stop one
   * that just started, await `waitForChunk` (or the model's `waitForCalls`) first.
   */
  async sendStop(): Promise<void> {
    this.session.stop();
  }

  /**
   * Resolves with the next chunk of the turn in flight that matches (by type, or a predicate),
   * e.g. to stop a turn once its text started. Rejects when the run ends before one comes.
   */
  waitForChunk(match: UIMessageChunk['type'] | ((chunk: UIMessageChunk) => boolean)) {
    const matches =
      typeof match === 'function' ? match : (chunk: UIMessageChunk) => chunk.type === match;
    return new Promise<UIMessageChunk>((resolve, reject) => {
      this.#chunkWaiters.add({ matches, resolve, reject });
    });
  }

  /**
   * Lets the idle timeout pass: the warm run suspends (`onChatSuspend`) once it has no message to
   * answer, and the next message resumes the chat in a new run (`onChatResume`). Resolves once
   * the run ended.
   */
  async suspend(): Promise<void> {
    // A chat that is not running is suspended already.
    if (!this.#running) return;
    this.session.suspendWhenIdle();
    await this.#running;
  }

  /**
   * Ends the test's chat (Trigger.dev's `close`): cancels the run, as a lost lease would, and
   * waits for it to end; the harness takes no more messages. The chat is not closed the way
   * `chat.close` closes it (that is the agent's call; see `session.closedReason`).
   */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.session.cancel(new Error('mockChatAgent: closed'));
    await this.#running;
  }

  #respond(
    toolCallId: string,
    approved: boolean,
    options: SendOptions & { reason?: string },
  ): Promise<MockChatAgentTurn> {
    const { reason, ...sendOptions } = options;
    const message = withApprovalResponse(this.messages, {
      toolCallId,
      approved,
      ...(reason === undefined ? {} : { reason }),
    });
    return this.#send(message, 'submit-message', message.id, sendOptions);
  }

  #send(
    message: UIMessage,
    trigger: ChatTrigger,
    messageId: string | undefined,
    options: SendOptions,
  ): Promise<MockChatAgentTurn> {
    if (this.#isClosed) return Promise.reject(new Error('mockChatAgent: the harness was closed'));
    const clientData = options.clientData ?? this.#clientData;
    return new Promise<MockChatAgentTurn>((resolve, reject) => {
      const inputId = this.session.send(message, {
        trigger,
        ...(messageId === undefined ? {} : { messageId }),
        ...(clientData === undefined ? {} : { clientData }),
      });
      this.#pending.push({ inputId, resolve, reject });
      this.#running ??= this.#drive();
    });
  }

  /** Runs the agent as a worker would: a run, and another while messages wait. */
  async #drive(): Promise<void> {
    let failure: unknown;
    try {
      do {
        await this.#agent.runSession(this.session, {
          idleTimeoutInSeconds: this.#idleTimeoutInSeconds,
        });
        this.#settle();
      } while (
        this.session.queueLength > 0 &&
        !this.session.isClosed &&
        !this.session.cancelSignal.aborted
      );
    } catch (error) {
      failure = error;
    }
    // Synchronous from the loop's last check on: a message sent from now on starts a new drive.
    this.#running = undefined;
    this.#settle();
    const reason =
      failure ??
      new Error(`mockChatAgent: the run ended (${this.runEnds.at(-1)}) before answering`);
    for (const send of this.#pending.splice(0)) send.reject(reason);
    for (const waiter of this.#chunkWaiters) waiter.reject(reason);
    this.#chunkWaiters.clear();
  }

  /** Resolves the sends whose turn completed. */
  #settle(): void {
    for (const send of [...this.#pending]) {
      const recorded = this.session.turns.findLast((turn) => turn.inputId === send.inputId);
      const turn = recorded && this.#toTurn(recorded);
      if (!turn) continue;
      this.#pending.splice(this.#pending.indexOf(send), 1);
      send.resolve(turn);
    }
  }

  #onChunk(chunk: UIMessageChunk): void {
    this.allChunks.push(chunk);
    for (const waiter of this.#chunkWaiters) {
      if (!waiter.matches(chunk)) continue;
      this.#chunkWaiters.delete(waiter);
      waiter.resolve(chunk);
    }
  }

  #toTurn(recorded: RecordedTurn): MockChatAgentTurn | undefined {
    const { status, end } = recorded;
    if (status === undefined || end === undefined) return undefined;
    const start = recorded.chunks.find((chunk) => chunk.type === 'start');
    const responseId = start?.type === 'start' ? start.messageId : undefined;
    return {
      turn: recorded.turn,
      runId: this.session.runIdByInputId.get(recorded.inputId) ?? this.session.state.runId,
      status,
      chunks: recorded.chunks,
      text: recorded.chunks
        .map((chunk) => (chunk.type === 'text-delta' ? chunk.delta : ''))
        .join(''),
      responseMessage:
        responseId === undefined
          ? undefined
          : end.messages.find((message) => message.id === responseId),
      messages: end.messages,
    };
  }
}
