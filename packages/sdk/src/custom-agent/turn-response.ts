import type { ChatTrigger } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import { mergeIncomingMessage } from '../merge-incoming-message.ts';
import { buildResponseMessage } from '../turn-output.ts';

/**
 * The assistant message a custom agent's turn may continue: the last message of the history once
 * the incoming message is merged, when it is an assistant message (one coming back with a tool
 * approval or a client-side tool's output), as `chat.agent` continues it. `toUIMessageStream`
 * continues exactly that message when it ends its `originalMessages`.
 */
export function continuableMessage(
  history: readonly UIMessage[],
  incoming: UIMessage,
  trigger: ChatTrigger,
): UIMessage | undefined {
  const last = mergeIncomingMessage(history, incoming, { trigger }).at(-1);
  return last?.role === 'assistant' ? last : undefined;
}

/**
 * A turn's response rebuilt from its chunks. When the response's `start` names `continuable`, the
 * chunks continue it (its tool parts, their inputs and approvals, and its earlier steps stay): a
 * response rebuilt from the chunks alone would lack the tool part its `tool-output-available`
 * answers, and replacing the stored message with it would lose the call.
 */
export async function buildTurnResponse(
  chunks: readonly UIMessageChunk[],
  continuable: UIMessage | undefined,
): Promise<UIMessage | undefined> {
  const start = chunks.find((chunk) => chunk.type === 'start');
  const isContinued =
    continuable !== undefined && start?.type === 'start' && start.messageId === continuable.id;
  return buildResponseMessage(chunks, isContinued ? continuable : undefined);
}
