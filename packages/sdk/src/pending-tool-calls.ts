import type { ModelMessage, ToolSet, UIMessageChunk } from 'ai';
import type { PendingToolCall } from './turn-recovery.ts';

/**
 * Names of the tools the runtime may execute itself when it recovers a turn: those with an
 * `execute` that never need a person's approval. A tool that may need one (its `needsApproval`,
 * or the agent's `toolApproval` naming it or deciding by function) is left to the model's next
 * step: a run that died between the tool call and its approval request must not run it unasked.
 */
export function executableToolNames(tools: ToolSet, toolApproval?: unknown): Set<string> {
  const mayNeedApproval = (name: string, definition: ToolSet[string]): boolean => {
    if ('needsApproval' in definition && definition.needsApproval) return true;
    if (typeof toolApproval === 'function') return true;
    if (toolApproval && typeof toolApproval === 'object') {
      const status = (toolApproval as Record<string, unknown>)[name];
      return status !== undefined && status !== 'not-applicable' && status !== 'approved';
    }
    return false;
  };
  return new Set(
    Object.entries(tools)
      .filter(([, definition]) => typeof definition.execute === 'function')
      .filter(([name, definition]) => !mayNeedApproval(name, definition))
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
