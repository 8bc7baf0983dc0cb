import type { ChatTrigger } from '@baton/protocol';
import type { UIMessage } from 'ai';

/**
 * What a custom agent's `run` gets, and what `chat.messages.waitWithIdleTimeout` hands it for each
 * later message: Trigger.dev's `ChatTaskWirePayload`, with the names it has there. The payload
 * carries at most one new message (`message`, singular): the chat's history is the run's (a
 * `MessageAccumulator` created in the run starts from it).
 */
export type ChatTaskWirePayload<ClientData = Record<string, unknown> | undefined> = {
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
};
