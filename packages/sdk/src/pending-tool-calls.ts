import type { ModelMessage, ToolSet, UIMessageChunk } from 'ai';
import type { PendingToolCall } from './turn-recovery.ts';

/** Names of the tools the runtime can execute itself. */
export function executableToolNames(tools: ToolSet): Set<string> {
  return new Set(
    Object.entries(tools)
      .filter(([, definition]) => typeof definition.execute === 'function')
      .map(([name]) => name),
  );
}

/**
 * Executes the tool calls a dead run left without output, with their original `toolCallId` (the
 * idempotency key a tool with side effects uses to do its effect once), writes their outputs, and
 * finishes their step, as `streamText` would have.
 */
export async function executePendingToolCalls(
  calls: readonly PendingToolCall[],
  tools: ToolSet,
  context: {
    messages: ModelMessage[];
    signal: AbortSignal;
    write: (chunk: UIMessageChunk) => void;
  },
): Promise<void> {
  for (const call of calls) {
    const execute = tools[call.toolName]?.execute;
    if (!execute) continue;
    try {
      let output: unknown = await execute(call.input, {
        toolCallId: call.toolCallId,
        messages: context.messages,
        abortSignal: context.signal,
        context: undefined,
      });
      // A streaming tool yields preliminary outputs; its last one is the output.
      if (output !== null && typeof output === 'object' && Symbol.asyncIterator in output) {
        for await (const value of output as AsyncIterable<unknown>) output = value;
      }
      context.write({ type: 'tool-output-available', toolCallId: call.toolCallId, output });
    } catch (error) {
      context.write({
        type: 'tool-output-error',
        toolCallId: call.toolCallId,
        errorText: error instanceof Error ? error.message : String(error),
      });
    }
  }
  context.write({ type: 'finish-step' });
}
