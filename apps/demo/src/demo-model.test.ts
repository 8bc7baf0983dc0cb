import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import {
  generateText,
  isStepCount,
  type ModelMessage,
  streamText,
  type TextStreamPart,
  type ToolSet,
} from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TableBooking } from './book-table-tool.ts';
import { createDemoModel } from './demo-model.ts';
import { demoToolApproval, demoTools } from './demo-tools.ts';
import type { WeatherReport } from './weather-tool.ts';

const HELLO_REPLY = 'Turn 1: you said "hello". I have seen 1 user messages.';

const history: ModelMessage[] = [
  { role: 'user', content: 'hi' },
  { role: 'assistant', content: 'Turn 1: you said "hi". I have seen 1 user messages.' },
  { role: 'user', content: 'tell me more' },
  { role: 'assistant', content: 'Turn 2: you said "tell me more". I have seen 2 user messages.' },
  { role: 'user', content: [{ type: 'text', text: '  how are you?  ' }] },
];

async function collect<PART>(stream: AsyncIterable<PART>): Promise<PART[]> {
  const parts: PART[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/**
 * A model stream read up to its first pause: `delayMs` is 1 s, so the next read waits on a timer.
 */
async function readDemoStream(
  abortSignal: AbortSignal | undefined,
): Promise<ReadableStreamDefaultReader<LanguageModelV4StreamPart>> {
  const { stream } = await createDemoModel({ delayMs: 1000 }).doStream({
    prompt: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
    ...(abortSignal ? { abortSignal } : {}),
  });
  const reader = stream.getReader();
  const types: string[] = [];
  for (let count = 0; count < 3; count += 1) types.push((await reader.read()).value?.type ?? '');
  expect(types).toEqual(['stream-start', 'response-metadata', 'text-start']);
  return reader;
}

function textOf<TOOLS extends ToolSet>(parts: TextStreamPart<TOOLS>[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

describe('createDemoModel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('echoes a single message with its turn number', async () => {
    const result = streamText({
      model: createDemoModel({ delayMs: 0 }),
      messages: [{ role: 'user', content: 'hello' }],
    });

    expect(await result.text).toBe(HELLO_REPLY);
    expect(await result.finishReason).toBe('stop');
  });

  it('counts every user message of the history and echoes the last one, trimmed', async () => {
    const result = streamText({ model: createDemoModel({ delayMs: 0 }), messages: history });

    expect(await result.text).toBe('Turn 3: you said "how are you?". I have seen 3 user messages.');
  });

  it('streams word by word, the deltas adding up to the reply', async () => {
    const result = streamText({
      model: createDemoModel({ delayMs: 1 }),
      messages: [{ role: 'user', content: 'hello' }],
    });

    const deltas = (await collect(result.stream)).filter((part) => part.type === 'text-delta');

    expect(deltas.map((part) => part.text)).toEqual(HELLO_REPLY.match(/\s*\S+/g));
    expect(deltas.length).toBeGreaterThan(1);
  });

  it('waits delayMs before each delta', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const reader = await readDemoStream(undefined);
    let isSettled = false;

    const pendingRead = reader.read().finally(() => {
      isSettled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect((await pendingRead).value).toEqual({
      type: 'text-delta',
      id: 'text-0',
      delta: 'Turn',
    });
  });

  it('takes the turn number from providerOptions.demo.turn', async () => {
    const result = streamText({
      model: createDemoModel({ delayMs: 0 }),
      messages: [{ role: 'user', content: 'hello' }],
      providerOptions: { demo: { turn: 7 } },
    });

    expect(await result.text).toBe('Turn 7: you said "hello". I have seen 1 user messages.');
  });

  it('reports positive usage: prompt words in, emitted words out', async () => {
    const result = streamText({ model: createDemoModel({ delayMs: 0 }), messages: history });

    const usage = await result.totalUsage;
    const text = await result.text;

    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.inputTokens).toBe(
      'hi Turn 1: you said "hi". I have seen 1 user messages. tell me more Turn 2: you said "tell me more". I have seen 2 user messages. how are you?'.split(
        ' ',
      ).length,
    );
    expect(usage.outputTokens).toBe(text.split(' ').length);
    expect(usage.totalTokens).toBe((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0));
  });

  describe('weather', () => {
    it('calls getWeather, then answers with the tool result', async () => {
      const result = streamText({
        model: createDemoModel({ delayMs: 0 }),
        messages: [{ role: 'user', content: 'What is the weather in Berlin today?' }],
        tools: demoTools,
        stopWhen: isStepCount(2),
      });

      const parts = await collect(result.stream);
      const toolCall = parts.find((part) => part.type === 'tool-call');
      const toolResult = parts.find((part) => part.type === 'tool-result');
      const steps = await result.steps;

      expect(parts.filter((part) => part.type === 'tool-input-delta').length).toBeGreaterThan(0);
      expect(toolCall).toMatchObject({ toolName: 'getWeather', input: { city: 'Berlin' } });
      expect(toolResult?.toolCallId).toBe(toolCall?.toolCallId);
      const report = toolResult?.output as WeatherReport;
      expect(report.city).toBe('Berlin');
      expect(steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
      expect(await result.text).toBe(
        `Turn 1: you said "What is the weather in Berlin today?". The weather in Berlin is ${report.condition}, ${report.temperatureC} °C. I have seen 1 user messages.`,
      );
      expect(textOf(parts)).toBe(await result.text);
    });

    it('asks for Paris when the message names no city', async () => {
      const result = await generateText({
        model: createDemoModel(),
        messages: [{ role: 'user', content: 'how is the weather?' }],
        tools: demoTools,
        stopWhen: isStepCount(2),
      });

      expect(result.steps[0]?.toolCalls[0]?.input).toEqual({ city: 'Paris' });
      expect(result.text).toMatch(
        /^Turn 1: you said "how is the weather\?"\. The weather in Paris is [a-z ]+, -?\d+ °C\. I have seen 1 user messages\.$/,
      );
    });

    it('replies in plain text when getWeather is not offered', async () => {
      const result = streamText({
        model: createDemoModel({ delayMs: 0 }),
        messages: [{ role: 'user', content: 'weather in Rome?' }],
      });

      expect(await result.text).toBe(
        'Turn 1: you said "weather in Rome?". I have seen 1 user messages.',
      );
    });

    it('reads a tool result sent as text', async () => {
      const result = streamText({
        model: createDemoModel({ delayMs: 0 }),
        messages: [
          { role: 'user', content: 'weather in Oslo?' },
          {
            role: 'assistant',
            content: [
              {
                type: 'tool-call',
                toolCallId: 'c1',
                toolName: 'getWeather',
                input: { city: 'Oslo' },
              },
            ],
          },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: 'c1',
                toolName: 'getWeather',
                output: {
                  type: 'text',
                  value: '{"city":"Oslo","temperatureC":-3,"condition":"snowy"}',
                },
              },
            ],
          },
        ],
        tools: demoTools,
      });

      expect(await result.text).toBe(
        'Turn 1: you said "weather in Oslo?". The weather in Oslo is snowy, -3 °C. I have seen 1 user messages.',
      );
    });
  });

  describe('booking', () => {
    const BOOK = 'Book a table for 4 at Chez Marie at 8pm';

    /** Turn 1 of a booking: the model asks for `bookTable`, which waits for the user's approval. */
    async function askToBook(message: string) {
      const result = streamText({
        model: createDemoModel({ delayMs: 0 }),
        messages: [{ role: 'user', content: message }],
        tools: demoTools,
        toolApproval: demoToolApproval,
        stopWhen: isStepCount(5),
      });
      const parts = await collect(result.stream);
      const { messages } = await result.response;
      return { parts, messages, finishReason: await result.finishReason };
    }

    /** Turn 2: the same history, answered with the user's approval response. */
    async function answerApproval(message: string, approved: boolean, reason?: string) {
      const asked = await askToBook(message);
      const request = asked.parts.find((part) => part.type === 'tool-approval-request');
      if (request === undefined) throw new Error('no approval request');
      const result = streamText({
        model: createDemoModel({ delayMs: 0 }),
        messages: [
          { role: 'user', content: message },
          ...asked.messages,
          {
            role: 'tool',
            content: [
              {
                type: 'tool-approval-response',
                approvalId: request.approvalId,
                approved,
                ...(reason === undefined ? {} : { reason }),
              },
            ],
          },
        ],
        tools: demoTools,
        toolApproval: demoToolApproval,
        stopWhen: isStepCount(5),
      });
      return { parts: await collect(result.stream), text: await result.text };
    }

    it('asks to call bookTable with what the message says, and waits for the approval', async () => {
      const { parts, finishReason } = await askToBook(BOOK);

      const toolCall = parts.find((part) => part.type === 'tool-call');
      const request = parts.find((part) => part.type === 'tool-approval-request');
      expect(toolCall).toMatchObject({
        toolName: 'bookTable',
        input: { restaurant: 'Chez Marie', guests: 4, time: '8pm' },
      });
      expect(request?.toolCall.toolCallId).toBe(toolCall?.toolCallId);
      expect(parts.some((part) => part.type === 'tool-result')).toBe(false);
      expect(textOf(parts)).toBe('');
      expect(finishReason).toBe('tool-calls');
    });

    it('books a default table when the message gives no details', async () => {
      const { parts } = await askToBook('please book a table');

      expect(parts.find((part) => part.type === 'tool-call')?.input).toEqual({
        restaurant: 'Baton Bistro',
        guests: 2,
        time: '19:30',
      });
    });

    it('runs bookTable once approved and answers with its confirmation', async () => {
      const { parts, text } = await answerApproval(BOOK, true);

      const toolResult = parts.find((part) => part.type === 'tool-result');
      const booking = toolResult?.output as TableBooking;
      expect(booking).toMatchObject({
        restaurant: 'Chez Marie',
        guests: 4,
        time: '8pm',
        status: 'confirmed',
      });
      expect(booking.confirmation).toMatch(/^BT-[0-9A-Z]{6}$/);
      expect(text).toBe(
        `Turn 1: you said "${BOOK}". Your table for 4 at Chez Marie at 8pm is booked, confirmation ${booking.confirmation}. I have seen 1 user messages.`,
      );
    });

    it('does not run bookTable when denied, and says so with the reason', async () => {
      const { parts, text } = await answerApproval(BOOK, false, 'too late');

      expect(parts.some((part) => part.type === 'tool-result')).toBe(false);
      expect(parts.find((part) => part.type === 'tool-output-denied')?.toolName).toBe('bookTable');
      expect(text).toBe(
        `Turn 1: you said "${BOOK}". You denied the booking (too late), so no table was booked. I have seen 1 user messages.`,
      );
    });

    it('says a denial without a reason plainly', async () => {
      const { text } = await answerApproval('book a table', false);

      expect(text).toContain('You denied the booking, so no table was booked.');
    });
  });

  describe('abort', () => {
    it('ends the turn early with an abort part and a prefix of the reply', async () => {
      const abortController = new AbortController();
      const result = streamText({
        model: createDemoModel({ delayMs: 5 }),
        messages: [{ role: 'user', content: 'hello' }],
        abortSignal: abortController.signal,
      });

      const parts: TextStreamPart<ToolSet>[] = [];
      let deltasAfterAbort = 0;
      for await (const part of result.stream) {
        parts.push(part);
        if (part.type !== 'text-delta') continue;
        if (abortController.signal.aborted) deltasAfterAbort += 1;
        else if (parts.filter((seen) => seen.type === 'text-delta').length === 3) {
          abortController.abort();
        }
      }

      const text = textOf(parts);
      expect(parts.at(-1)?.type).toBe('abort');
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
      expect(deltasAfterAbort).toBe(0);
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThan(HELLO_REPLY.length);
      expect(HELLO_REPLY.startsWith(text)).toBe(true);
    });

    it('ends the turn at once while the model pauses between words', async () => {
      const abortController = new AbortController();
      const result = streamText({
        model: createDemoModel({ delayMs: 60_000 }),
        messages: [{ role: 'user', content: 'hello' }],
        abortSignal: abortController.signal,
      });

      const parts: TextStreamPart<ToolSet>[] = [];
      for await (const part of result.stream) {
        parts.push(part);
        if (part.type === 'text-start') abortController.abort();
      }

      expect(parts.at(-1)?.type).toBe('abort');
      expect(textOf(parts)).toBe('');
    });

    it('errors the model stream with an AbortError and clears its timer', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const abortController = new AbortController();
      const reader = await readDemoStream(abortController.signal);

      const pendingRead = reader.read();
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1);
      abortController.abort(new Error('stopped by the user'));

      await expect(pendingRead).rejects.toMatchObject({
        name: 'AbortError',
        cause: new Error('stopped by the user'),
      });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears its timer when the reader cancels the model stream', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const reader = await readDemoStream(undefined);

      const pendingRead = reader.read();
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1);
      await reader.cancel();

      expect(await pendingRead).toEqual({ done: true, value: undefined });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('rejects doStream when the signal is already aborted', async () => {
      await expect(
        createDemoModel().doStream({
          prompt: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
          abortSignal: AbortSignal.abort(),
        }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
