import type { ChatTrigger } from '@baton/protocol';
import type { UIMessage } from 'ai';

/**
 * What a custom agent's `run` gets: Trigger.dev's `ChatTaskWirePayload`, with the names it has
 * there. A message (`ChatTaskMessagePayload`), or, on the run a preload started before the chat's
 * first message, `trigger: "preload"` with no message (`ChatTaskPreloadPayload`):
 * `chat.createSession` waits for the first message itself; a hand-rolled loop checks
 * `payload.trigger === "preload"` and waits with `chat.messages` (docs/agents/preload.md).
 */
export type ChatTaskWirePayload<ClientData = Record<string, unknown> | undefined> =
  | ChatTaskMessagePayload<ClientData>
  | ChatTaskPreloadPayload<ClientData>;

/**
 * A message for the agent: what `run` gets for it, and what `chat.messages.waitWithIdleTimeout`
 * hands it for each later message. It carries at most one new message (`message`, singular): the
 * chat's history is the run's (a `MessageAccumulator` created in the run starts from it).
 */
export type ChatTaskMessagePayload<ClientData = Record<string, unknown> | undefined> = {
  chatId: string;
  /** The worker's job that runs the chat now. */
  runId: string;
  trigger: ChatTrigger;
  /** The new message: a user message, or an assistant message coming back with tool outputs. */
  message: UIMessage;
  /** The request's `messageId`: the message an edit or a regeneration targets. */
  messageId: string | undefined;
  /** The client data of the request (the wire name Trigger.dev uses). */
  metadata: ClientData;
  /**
   * Trigger.dev's meaning: this run picked the chat up after an earlier run ended abnormally (a
   * crash), or after the agent's `run` returned; false after an idle suspend, which Baton
   * resumes as if the run never stopped.
   */
  continuation: boolean;
  /**
   * Set when the request is a custom action (the body's `action`, e.g. the stock client's
   * `regenerate({ body: { action } })`): the agent decides what it means. `message` is then the
   * client's last message, not a new one: the chat's history and a `MessageAccumulator` created
   * in the run do not add it again (its `trigger` is usually `regenerate-message`). The turn ends
   * as any turn; one the agent writes nothing to is no turn (its number is not used up), as an
   * action is in `chat.agent`. `chat.createSession` has no actions: it answers them with nothing.
   */
  action?: unknown;
};

/**
 * The run a preload started (`POST /v1/sessions` with `preload: true`), before the chat's first
 * message: no message yet, the session's client data. Initialize, then wait for the message.
 */
export type ChatTaskPreloadPayload<ClientData = Record<string, unknown> | undefined> = {
  chatId: string;
  runId: string;
  trigger: 'preload';
  message?: undefined;
  messageId?: undefined;
  /** The session's client data (`POST /v1/sessions` `clientData`). */
  metadata: ClientData;
  continuation: false;
};
