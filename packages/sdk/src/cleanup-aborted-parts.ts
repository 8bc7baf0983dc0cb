import type { UIMessage } from 'ai';

/** What an interrupted tool call's output says, so the model sees a closed tool call. */
export const INTERRUPTED_TOOL_ERROR_TEXT = 'The tool call was interrupted before it finished.';

type Part = UIMessage['parts'][number];

function isToolPart(part: Part): part is Part & { state: string; toolCallId: string } {
  return (part.type.startsWith('tool-') || part.type === 'dynamic-tool') && 'toolCallId' in part;
}

/**
 * Makes a message cut short by a stop (or a crash) safe to keep and to send to a model again
 * (Trigger.dev's `chat.cleanupAbortedParts`): text and reasoning still streaming are marked done,
 * a tool call whose input never finished is dropped, and a tool call that never got its output is
 * closed with an error output. A dangling tool call would make every later provider call fail.
 */
export function cleanupAbortedParts<Message extends UIMessage>(message: Message): Message {
  const parts: Part[] = [];
  for (const part of message.parts) {
    if (isToolPart(part)) {
      if (part.state === 'input-streaming') continue;
      if (part.state === 'input-available') {
        parts.push({
          ...part,
          state: 'output-error',
          errorText: INTERRUPTED_TOOL_ERROR_TEXT,
        } as Part);
        continue;
      }
      parts.push(part);
      continue;
    }
    if ((part.type === 'text' || part.type === 'reasoning') && part.state === 'streaming') {
      parts.push({ ...part, state: 'done' });
      continue;
    }
    parts.push(part);
  }
  return { ...message, parts };
}
