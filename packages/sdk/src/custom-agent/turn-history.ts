import { type TurnStatus, upsertMessage } from '@baton/protocol';
import type { UIMessage, UIMessageChunk } from 'ai';
import type { SessionMessage } from '../agent-session.ts';
import { cleanupAbortedParts } from '../cleanup-aborted-parts.ts';
import { mergeIncomingMessage } from '../merge-incoming-message.ts';
import { buildTurnResponse } from './turn-response.ts';

/** What a custom agent's turn leaves for its checkpoint. */
export type TurnRecord = {
  incoming: SessionMessage;
  /** The message is a custom action's: the client's last message, not a new one. */
  isAction: boolean;
  /** Every chunk of the turn, a dead attempt's included. */
  chunks: readonly UIMessageChunk[];
  /** The assistant message the incoming one resolves (a tool approval or output). */
  continuable: UIMessage | undefined;
  status: TurnStatus;
};

/**
 * The history a custom agent's turn checkpoints (docs/agents/custom-agents.md, "History: the
 * rule"). With an accumulator (`kept`: the history the agent keeps) what it holds of the turn
 * wins and only what it lacks is added: the incoming message and the response, by id, so the
 * chat's history stays whole when a loop forgets `addIncoming` or `addResponse`. Without one, the
 * incoming message is merged into the last checkpoint and the response upserted. The message of
 * a custom action is never added: it is not a new message.
 */
export async function turnHistory(
  turn: TurnRecord,
  from: { checkpoint: UIMessage[]; kept: UIMessage[] | undefined },
): Promise<UIMessage[]> {
  const { message, trigger } = turn.incoming;
  const response = await keptResponse(turn);
  if (!from.kept) {
    const messages = turn.isAction
      ? from.checkpoint
      : mergeIncomingMessage(from.checkpoint, message, { trigger });
    return response ? upsertMessage(messages, response).messages : messages;
  }
  let messages = [...from.kept];
  const has = (id: string) => messages.some((known) => known.id === id);
  if (!turn.isAction && !has(message.id)) {
    messages = mergeIncomingMessage(messages, message, { trigger });
  }
  if (response && !has(response.id)) messages = [...messages, response];
  return messages;
}

/** The turn's response as it is kept: aborted parts cleaned after a stop or an error. */
async function keptResponse(turn: TurnRecord): Promise<UIMessage | undefined> {
  const response = await buildTurnResponse(turn.chunks, turn.continuable);
  if (!response || response.parts.length === 0) return undefined;
  return turn.status === 'complete' ? response : cleanupAbortedParts(response);
}
