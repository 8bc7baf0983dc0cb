import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Message,
  LanguageModelV4StreamPart,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4ToolResultPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { describeToolResult, scriptedToolCall } from './scripted-tool-calls.ts';

/** Options of {@link createDemoModel}. */
export type DemoModelOptions = {
  /**
   * Pause before each streamed delta and before a tool call, so the demo looks like a live model.
   * With 0 the stream still yields to the event loop between chunks. Default 20.
   */
  delayMs?: number;
};

const DEFAULT_DELAY_MS = 20;

type Reply =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: string };

/** Everything the model answers to one call; derived from the call options alone. */
type Answer = {
  reply: Reply;
  finishReason: LanguageModelV4FinishReason;
  usage: LanguageModelV4Usage;
};

/** A stream part and whether the model pauses for `delayMs` before emitting it. */
type ScheduledPart = { part: LanguageModelV4StreamPart; isDelayed: boolean };

/**
 * The offline model behind the demo agents (`BATON_MODEL=demo`): deterministic, no network, and
 * streamed word by word like a real provider, so the whole durable pipeline (tool calls, aborts,
 * recovery) can be exercised without an API key.
 *
 * It echoes the last user message with the turn number (`providerOptions.demo.turn`, else the
 * number of user messages), and calls a demo tool once when the message asks for it and the tool
 * is offered: `getWeather` for "weather", `bookTable` for "book" (see `scripted-tool-calls.ts`).
 *
 * @example
 * ```ts
 * const result = streamText({ model: createDemoModel(), messages, tools: demoTools });
 * ```
 */
export function createDemoModel(options: DemoModelOptions = {}): LanguageModelV4 {
  const delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
  return {
    specificationVersion: 'v4',
    provider: 'baton',
    modelId: 'demo',
    supportedUrls: {},
    async doGenerate(callOptions) {
      throwIfAborted(callOptions.abortSignal);
      const { reply, finishReason, usage } = answer(callOptions);
      const content: LanguageModelV4Content[] = [
        reply.type === 'text' ? { type: 'text', text: reply.text } : reply,
      ];
      return { content, finishReason, usage, response: { modelId: 'demo' }, warnings: [] };
    },
    async doStream(callOptions) {
      // A real provider's fetch rejects before any chunk when the signal is already aborted.
      throwIfAborted(callOptions.abortSignal);
      return { stream: streamAnswer(answer(callOptions), delayMs, callOptions.abortSignal) };
    },
  };
}

function streamAnswer(
  { reply, finishReason, usage }: Answer,
  delayMs: number,
  abortSignal: AbortSignal | undefined,
): ReadableStream<LanguageModelV4StreamPart> {
  const parts = scheduleParts(reply, finishReason, usage);
  // Cancelling the stream (the consumer gave up) must clear a pending pause just as an abort does.
  const cancelController = new AbortController();
  const signal = abortSignal
    ? AbortSignal.any([abortSignal, cancelController.signal])
    : cancelController.signal;
  let index = 0;
  return new ReadableStream<LanguageModelV4StreamPart>(
    {
      async pull(controller) {
        const scheduled = parts[index];
        index += 1;
        if (scheduled === undefined) {
          controller.close();
          return;
        }
        throwIfAborted(signal);
        if (scheduled.isDelayed) await pause(delayMs, signal);
        controller.enqueue(scheduled.part);
      },
      cancel(reason) {
        cancelController.abort(reason);
      },
    },
    // No chunk is produced before it is read, so after an abort nothing more is emitted.
    { highWaterMark: 0 },
  );
}

function scheduleParts(
  reply: Reply,
  finishReason: LanguageModelV4FinishReason,
  usage: LanguageModelV4Usage,
): ScheduledPart[] {
  const immediate = (part: LanguageModelV4StreamPart): ScheduledPart => ({
    part,
    isDelayed: false,
  });
  const delayed = (part: LanguageModelV4StreamPart): ScheduledPart => ({ part, isDelayed: true });
  const body: ScheduledPart[] =
    reply.type === 'text'
      ? [
          immediate({ type: 'text-start', id: 'text-0' }),
          ...splitIntoWords(reply.text).map((delta) =>
            delayed({ type: 'text-delta', id: 'text-0', delta }),
          ),
          immediate({ type: 'text-end', id: 'text-0' }),
        ]
      : [
          immediate({ type: 'tool-input-start', id: reply.toolCallId, toolName: reply.toolName }),
          ...splitIntoWords(reply.input).map((delta) =>
            delayed({ type: 'tool-input-delta', id: reply.toolCallId, delta }),
          ),
          immediate({ type: 'tool-input-end', id: reply.toolCallId }),
          delayed(reply),
        ];
  return [
    immediate({ type: 'stream-start', warnings: [] }),
    immediate({ type: 'response-metadata', modelId: 'demo' }),
    ...body,
    immediate({ type: 'finish', finishReason, usage }),
  ];
}

function answer(options: LanguageModelV4CallOptions): Answer {
  const { prompt } = options;
  const userMessages = prompt.filter((message) => message.role === 'user');
  const userMessageCount = userMessages.length;
  const lastUserMessage = userMessages.at(-1);
  const message = lastUserMessage ? textOf(lastUserMessage).trim() : '';
  const turnOption = options.providerOptions?.demo?.turn;
  const turn = typeof turnOption === 'number' ? turnOption : userMessageCount;
  const lastMessage = prompt.at(-1);
  const inputTokens = countWords(prompt.map(textOf).join(' '));

  // After a tool result the model answers in text, so a tool is called at most once per message.
  const toolCall =
    lastMessage?.role === 'tool' ? undefined : scriptedToolCall(message, offeredToolNames(options));
  if (toolCall) {
    const priorToolCallCount = prompt
      .flatMap((entry) => (entry.role === 'assistant' ? entry.content : []))
      .filter((part) => part.type === 'tool-call').length;
    // Deterministic and unique within the chat: recovery uses the id as the idempotency key.
    const toolCallId = `demo-call-${userMessageCount}-${priorToolCallCount + 1}`;
    return {
      reply: { type: 'tool-call', toolCallId, ...toolCall },
      finishReason: { unified: 'tool-calls', raw: undefined },
      usage: createUsage(inputTokens, countWords(toolCall.input)),
    };
  }

  const toolResult =
    lastMessage?.role === 'tool'
      ? lastMessage.content
          .filter((part): part is LanguageModelV4ToolResultPart => part.type === 'tool-result')
          .at(-1)
      : undefined;
  const toolSentence = toolResult
    ? describeToolResult(toolResult.toolName, toolResult.output, message)
    : undefined;
  const text = `Turn ${turn}: you said "${message}".${toolSentence ? ` ${toolSentence}` : ''} I have seen ${userMessageCount} user messages.`;
  return {
    reply: { type: 'text', text },
    finishReason: { unified: 'stop', raw: undefined },
    usage: createUsage(inputTokens, countWords(text)),
  };
}

/** The function tools of this call; none when `toolChoice` is `none`. */
function offeredToolNames(options: LanguageModelV4CallOptions): Set<string> {
  if (options.toolChoice?.type === 'none') return new Set();
  return new Set(
    (options.tools ?? []).filter((tool) => tool.type === 'function').map((tool) => tool.name),
  );
}

/** The text of a message as the model "reads" it: what its input tokens are counted from. */
function textOf(message: LanguageModelV4Message): string {
  if (message.role === 'system') return message.content;
  const texts: string[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
      case 'reasoning':
        texts.push(part.text);
        break;
      case 'tool-call':
        texts.push(JSON.stringify(part.input) ?? '');
        break;
      case 'tool-result':
        texts.push(toolOutputText(part.output));
        break;
      default:
        break;
    }
  }
  // Parts of a user message are concatenated as they are, so the echoed message is exact.
  return texts.join(message.role === 'user' ? '' : ' ');
}

function toolOutputText(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return output.reason ?? '';
    case 'content':
      return output.value.map((part) => (part.type === 'text' ? part.text : '')).join(' ');
  }
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Words with their leading whitespace, so the deltas concatenate to exactly the text. */
function splitIntoWords(text: string): string[] {
  return text.match(/\s*\S+(?:\s+$)?/g) ?? [];
}

function createUsage(inputTokens: number, outputTokens: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

/**
 * Waits `delayMs`, or one turn of the event loop when 0, so a zero-delay stream never monopolises
 * the process. Rejects at once, clearing the timer, when the signal aborts.
 */
function pause(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let clearPending = (): void => {};
    const onAbort = (): void => {
      clearPending();
      reject(createAbortError(signal));
    };
    const finish = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    if (delayMs > 0) {
      const timer = setTimeout(finish, delayMs);
      clearPending = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(finish);
      clearPending = () => clearImmediate(immediate);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw createAbortError(signal);
}

/**
 * The error an aborted fetch gives a real provider. It is always named `AbortError`, whatever the
 * signal's reason, because `ai` recognises aborts by that name: `streamText` ends such a turn with
 * an `abort` part, and its retry loop would otherwise retry a call the caller cancelled.
 */
function createAbortError(signal: AbortSignal): Error {
  const error = new Error('The demo model call was aborted.', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}
