import { MockLanguageModelV4 } from 'ai/test';

/** The options of one model call, as the AI SDK passes them to a v4 model. */
export type ScriptedModelCall = MockLanguageModelV4['doStreamCalls'][number];

/** The prompt of one call: the model messages the model saw (tool results and denials included). */
export type ScriptedModelPrompt = ScriptedModelCall['prompt'];

type StreamResult = Awaited<ReturnType<MockLanguageModelV4['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
type FinishReason = Extract<StreamPart, { type: 'finish' }>['finishReason']['unified'];

/** Token counts a response reports. */
export type ScriptedUsage = { inputTokens: number; outputTokens: number };

/** A tool call the model makes; `toolCallId` defaults to `call-<call>-<index>` (1-based call). */
export type ScriptedToolCall = { toolName: string; input: unknown; toolCallId?: string };

/**
 * What the model answers to one call, streamed in this order: reasoning, text (in word-sized
 * chunks), tool calls; then the stream finishes, unless it fails (`error`) or hangs (`hang`).
 */
export type ScriptedReply = {
  reasoning?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /**
   * Ends the stream with this provider error after what came before, as a provider whose stream
   * breaks does: `streamText` turns it into an `error` chunk.
   */
  error?: unknown;
  /**
   * Streams what came before, its last text or reasoning left open, then nothing until the call's
   * `abortSignal` aborts (a user stop, a cancelled run), as a slow provider mid-answer: what a
   * test of stopping needs.
   */
  hang?: boolean;
  /** @default 'tool-calls' when the reply calls tools, else 'stop' */
  finishReason?: FinishReason;
  /** @default the model's `usage` */
  usage?: ScriptedUsage;
};

/** A reply: its text alone, or the whole reply. */
export type ScriptedResponse = string | ScriptedReply;

/**
 * The script: one response per call, in order, or a function of the call (its prompt and 0-based
 * index) for a model that answers from what it sees.
 */
export type ModelScript =
  | readonly ScriptedResponse[]
  | ((call: ScriptedModelCall, index: number) => ScriptedResponse);

export type ScriptedModelOptions = {
  /** @default { inputTokens: 1, outputTokens: 1 } per call */
  usage?: ScriptedUsage;
  /** Pause between stream parts (real time); `null`, the default, streams without pausing. */
  chunkDelayInMs?: number | null;
};

const DEFAULT_USAGE: ScriptedUsage = { inputTokens: 1, outputTokens: 1 };

/**
 * A real AI SDK language model (spec v4, the `MockLanguageModelV4` of `ai/test`) that plays a
 * script, so an agent runs offline in a unit test exactly as with a provider: `streamText`,
 * tools, approvals and stops all take their real paths. Each call takes the next response of the
 * script; the model records every call, so a test asserts what the model saw (`prompts`: a tool
 * result, a denial, the system prompt).
 *
 * Trigger.dev's testing page pairs `mockChatAgent` with a hand-built `MockLanguageModelV3` and
 * `simulateReadableStream`; this is that model, scripted.
 *
 * @example
 * ```ts
 * const model = scriptedModel([
 *   { toolCalls: [{ toolName: 'getWeather', input: { city: 'Oslo' } }] },
 *   'It is sunny in Oslo.',
 * ]);
 * // ... run the agent ...
 * expect(model.prompts[1]?.at(-1)).toMatchObject({ role: 'tool' });
 * ```
 */
export function scriptedModel(script: ModelScript, options: ScriptedModelOptions = {}) {
  return new ScriptedModel(script, options);
}

/** The model {@link scriptedModel} builds. */
export class ScriptedModel extends MockLanguageModelV4 {
  readonly #callListeners = new Set<() => void>();

  constructor(script: ModelScript, options: ScriptedModelOptions = {}) {
    super({
      provider: 'baton-testing',
      modelId: 'scripted',
      doStream: async (call) => {
        // The base class recorded the call before this runs.
        const index = this.doStreamCalls.length - 1;
        for (const listener of this.#callListeners) listener();
        // A provider's fetch rejects before any part when the signal is already aborted.
        call.abortSignal?.throwIfAborted();
        const response = typeof script === 'function' ? script(call, index) : script[index];
        if (response === undefined) {
          throw new Error(
            `scriptedModel: call ${index + 1} but the script has ${script.length} responses`,
          );
        }
        const reply = typeof response === 'string' ? { text: response } : response;
        return { stream: streamReply(reply, index, call.abortSignal, options) };
      },
    });
  }

  /** The prompt of every call so far, in order. */
  get prompts(): ScriptedModelPrompt[] {
    return this.doStreamCalls.map((call) => call.prompt);
  }

  /** Resolves once the model was called `count` times in all (at once if it already was). */
  waitForCalls(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.doStreamCalls.length < count) return;
        this.#callListeners.delete(check);
        resolve();
      };
      this.#callListeners.add(check);
      check();
    });
  }
}

function streamReply(
  reply: ScriptedReply,
  index: number,
  abortSignal: AbortSignal | undefined,
  options: ScriptedModelOptions,
): ReadableStream<StreamPart> {
  const parts = partsOf(reply, index, options.usage ?? DEFAULT_USAGE);
  const delayMs = options.chunkDelayInMs ?? null;
  let next = 0;
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      if (delayMs !== null && next > 0) await delay(delayMs);
      const part = parts[next++];
      if (part) {
        controller.enqueue(part);
        return;
      }
      if (reply.hang) {
        // Fails the way a provider's aborted fetch does; nothing else ends the stream.
        await new Promise<void>((resolve) => {
          if (!abortSignal || abortSignal.aborted) resolve();
          else abortSignal.addEventListener('abort', () => resolve(), { once: true });
        });
        controller.error(abortSignal?.reason ?? new Error('scriptedModel: hung without a signal'));
        return;
      }
      controller.close();
    },
  });
}

/** The v4 stream parts of a reply, as a provider streams them. */
function partsOf(reply: ScriptedReply, index: number, usage: ScriptedUsage): StreamPart[] {
  const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  if (reply.reasoning !== undefined) {
    const id = `reasoning-${index}`;
    parts.push({ type: 'reasoning-start', id });
    for (const delta of words(reply.reasoning)) parts.push({ type: 'reasoning-delta', id, delta });
    parts.push({ type: 'reasoning-end', id });
  }
  if (reply.text !== undefined) {
    const id = `text-${index}`;
    parts.push({ type: 'text-start', id });
    for (const delta of words(reply.text)) parts.push({ type: 'text-delta', id, delta });
    parts.push({ type: 'text-end', id });
  }
  for (const [position, call] of (reply.toolCalls ?? []).entries()) {
    const toolCallId = call.toolCallId ?? `call-${index + 1}-${position + 1}`;
    const input = JSON.stringify(call.input);
    parts.push(
      { type: 'tool-input-start', id: toolCallId, toolName: call.toolName },
      { type: 'tool-input-delta', id: toolCallId, delta: input },
      { type: 'tool-input-end', id: toolCallId },
      { type: 'tool-call', toolCallId, toolName: call.toolName, input },
    );
  }
  if (reply.error !== undefined) {
    parts.push({ type: 'error', error: reply.error });
    return parts;
  }
  if (reply.hang) {
    // Mid-answer: the block being streamed is not ended.
    if (parts.at(-1)?.type === 'text-end' || parts.at(-1)?.type === 'reasoning-end') parts.pop();
    return parts;
  }
  const { inputTokens, outputTokens } = reply.usage ?? usage;
  const hasToolCalls = (reply.toolCalls?.length ?? 0) > 0;
  parts.push({
    type: 'finish',
    finishReason: {
      unified: reply.finishReason ?? (hasToolCalls ? 'tool-calls' : 'stop'),
      raw: undefined,
    },
    usage: {
      inputTokens: {
        total: inputTokens,
        noCache: inputTokens,
        cacheRead: undefined,
        cacheWrite: undefined,
      },
      outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined },
    },
  });
  return parts;
}

/** Word-sized chunks, each but the first starting with its space: how providers stream text. */
function words(text: string): string[] {
  return text.split(/(?= )/);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
