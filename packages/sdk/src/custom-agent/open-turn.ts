import type { UIMessage, UIMessageChunk } from 'ai';
import type { SessionMessage, TurnChannel } from '../agent-session.ts';
import type { OutputGate } from '../chat-defer.ts';

/** The turn a custom agent's run has open: what `ChatRun` writes into and completes. */
export type OpenTurn = {
  number: number;
  incoming: SessionMessage;
  channel: TurnChannel;
  /** Every chunk of the turn, a dead attempt's included: what a client that watched it holds. */
  chunks: UIMessageChunk[];
  /** A recovered turn continues the dead attempt's message: its id, for the new `start` chunk. */
  continuedMessageId: string | undefined;
  /** The dead attempt's unfinished step was reset: the new attempt's first `start-step` goes. */
  shouldDropStepStart: boolean;
  /** The message was refused (invalid client data): the history stays as it was. */
  isRefused: boolean;
  /**
   * A custom action (the request body's `action`): its message is the client's last one, not a
   * new one; only a response the agent writes enters the history.
   */
  isAction: boolean;
  /** The assistant message the incoming one resolves (a tool approval or output): the response's. */
  continuable: UIMessage | undefined;
  /** Holds the output back while `chat.deferBeforeOutput` work runs. */
  gate: OutputGate;
  /** Places chunks written before the answer's `start` after it (`orderAfterStart`). */
  response: { write: (chunk: UIMessageChunk) => void; end: () => void };
};
