import { convertToModelMessages, type ToolSet, type UIMessage } from 'ai';
import type { ChatSuspendEvent } from './chat-agent-hooks.ts';
import type { LoopState } from './run-turn.ts';

/**
 * The event of `onChatSuspend` and `onChatResume`: phase `turn`, the last completed turn and the
 * history as of it; phase `preload` for a preloaded chat that had no turn yet
 * (docs/agents/preload.md). On Baton a chat suspends by leaving its worker, so both hooks fire at
 * run boundaries (docs/agents/hooks.md, "Suspend and resume on a pool").
 */
export async function suspensionEvent<ClientData>(
  state: LoopState,
  uiMessages: UIMessage[],
  tools: ToolSet,
): Promise<ChatSuspendEvent<ClientData>> {
  // Only a preloaded chat suspends or resumes before its first turn.
  if (state.turns === 0) {
    return {
      phase: 'preload',
      chatId: state.chatId,
      runId: state.runId,
      clientData: state.clientData as ClientData,
    };
  }
  return {
    phase: 'turn',
    chatId: state.chatId,
    runId: state.runId,
    turn: state.turns - 1,
    messages: await convertToModelMessages(uiMessages, { tools, ignoreIncompleteToolCalls: true }),
    uiMessages,
    clientData: state.clientData as ClientData,
  };
}
