import type { ToolSet, UIMessage, UIMessageChunk } from 'ai';
import { createIdGenerator, toUIMessageStream } from 'ai';
import type { ChatAgentOptions, ChatRunResult } from './chat-agent-options.ts';
import type { StandardSchema } from './standard-schema.ts';

/** What the client reads when a turn fails; the cause stays in the worker's log. */
export const DEFAULT_ERROR_TEXT = 'An error occurred while generating the response.';

/** The ids of the assistant messages the runtime starts. */
export const generateMessageId = createIdGenerator({ prefix: 'msg', size: 24 });

/** The UI message chunks of what `run` returned, if it returned something to pipe. */
export function toChunkStream(
  result: ChatRunResult,
  originalMessages: UIMessage[],
  options: Pick<ChatAgentOptions<StandardSchema | undefined, ToolSet>, 'uiMessageStreamOptions'>,
): ReadableStream<UIMessageChunk> | undefined {
  if (result instanceof ReadableStream) return result;
  if (!result) return undefined;
  return toUIMessageStream({
    onError: () => DEFAULT_ERROR_TEXT,
    ...options.uiMessageStreamOptions,
    // The stream parts of any `streamText` result; the AI SDK validates them as it converts.
    stream: result.stream as Parameters<typeof toUIMessageStream>[0]['stream'],
    originalMessages,
    generateMessageId,
  });
}
