import { isToolUIPart, type UIMessage } from 'ai';

type ToolPart = Extract<UIMessage['parts'][number], { toolCallId: string }>;

/** A user's answer to a tool call awaiting approval (`needsApproval`). */
export type ToolApprovalResponse = { toolCallId: string; approved: boolean; reason?: string };

/** A tool output the client supplies for a tool without `execute` (human in the loop). */
export type ToolOutputResponse =
  | { toolCallId: string; output: unknown; state?: 'output-available' }
  | { toolCallId: string; errorText: string; state: 'output-error' };

/**
 * The assistant message with the approval recorded on its tool part, as the AI SDK client's
 * `addToolApprovalResponse` leaves it: state `approval-responded`. That message, sent back, is how
 * an approval travels in AI SDK 7.
 */
export function withApprovalResponse(
  messages: readonly UIMessage[],
  response: ToolApprovalResponse,
): UIMessage {
  return updateToolPart(messages, response.toolCallId, 'approval-requested', (part) => {
    if (part.state !== 'approval-requested') return part;
    const { approved, reason } = response;
    return {
      ...part,
      state: 'approval-responded',
      approval: { ...part.approval, approved, ...(reason === undefined ? {} : { reason }) },
    };
  });
}

/** The assistant message with the tool output set, as the AI SDK client's `addToolOutput` does. */
export function withToolOutput(
  messages: readonly UIMessage[],
  response: ToolOutputResponse,
): UIMessage {
  return updateToolPart(messages, response.toolCallId, 'input-available', (part) => {
    if (part.state !== 'input-available') return part;
    return response.state === 'output-error'
      ? { ...part, state: 'output-error', errorText: response.errorText }
      : { ...part, state: 'output-available', output: response.output };
  });
}

function updateToolPart(
  messages: readonly UIMessage[],
  toolCallId: string,
  expectedState: ToolPart['state'],
  update: (part: ToolPart) => ToolPart,
): UIMessage {
  const isTarget = (part: UIMessage['parts'][number]): part is ToolPart =>
    isToolUIPart(part) && part.toolCallId === toolCallId && part.state === expectedState;
  const message = messages.findLast(
    (candidate) => candidate.role === 'assistant' && candidate.parts.some(isTarget),
  );
  if (!message) {
    const waiting = messages
      .flatMap((candidate) => candidate.parts)
      .filter((part) => isToolUIPart(part) && part.state === expectedState)
      .map((part) => (part as ToolPart).toolCallId);
    throw new Error(
      `no tool call ${toolCallId} in state ${expectedState} in the chat; waiting: ${waiting.join(', ') || 'none'}`,
    );
  }
  return {
    ...message,
    parts: message.parts.map((part) => (isTarget(part) ? update(part) : part)),
  };
}
