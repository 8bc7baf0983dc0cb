import { readUIMessageStream, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModel } from './scripted-model.ts';

describe('scriptedModel', () => {
  it('streams reasoning and text in word chunks, then calls tools, with the usage given', async () => {
    const model = scriptedModel(
      [
        {
          reasoning: 'The user wants weather.',
          text: 'Checking now.',
          toolCalls: [{ toolName: 'getWeather', input: { city: 'Oslo' } }],
        },
      ],
      { usage: { inputTokens: 3, outputTokens: 5 } },
    );
    const result = streamText({
      model,
      prompt: 'weather?',
      tools: { getWeather: tool({ inputSchema: z.object({ city: z.string() }) }) },
    });
    const deltas: string[] = [];
    for await (const part of result.fullStream)
      if (part.type === 'text-delta') deltas.push(part.text);
    expect(deltas).toEqual(['Checking', ' now.']);
    expect(await result.reasoningText).toBe('The user wants weather.');
    expect(await result.toolCalls).toMatchObject([
      { toolCallId: 'call-1-1', toolName: 'getWeather', input: { city: 'Oslo' } },
    ]);
    expect(await result.finishReason).toBe('tool-calls');
    expect((await result.totalUsage).totalTokens).toBe(8);
  });

  it('answers from a function of the call and records every prompt', async () => {
    const model = scriptedModel((call, index) => `call ${index} saw ${call.prompt.length}`);
    expect(await streamText({ model, prompt: 'a' }).text).toBe('call 0 saw 1');
    expect(await streamText({ model, system: 'be brief', prompt: 'b' }).text).toBe('call 1 saw 2');
    expect(model.prompts[1]).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
    ]);
  });

  it('fails a call past the end of the script', async () => {
    const model = scriptedModel(['only']);
    await streamText({ model, prompt: 'a' }).consumeStream();
    const errors: unknown[] = [];
    await streamText({
      model,
      prompt: 'b',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    }).consumeStream();
    expect(errors).toMatchObject([
      { message: 'scriptedModel: call 2 but the script has 1 responses' },
    ]);
  });

  it('hangs until the call is aborted, after streaming what came before', async () => {
    const model = scriptedModel([{ text: 'Once upon', hang: true }]);
    const controller = new AbortController();
    const result = streamText({ model, prompt: 'story', abortSignal: controller.signal });
    const seen: string[] = [];
    for await (const part of result.toUIMessageStream()) {
      seen.push(part.type === 'text-delta' ? part.delta : part.type);
      if (part.type === 'text-delta' && part.delta === ' upon') controller.abort();
    }
    expect(seen).toEqual(['start', 'start-step', 'text-start', 'Once', ' upon', 'abort']);
  });

  it('waits for calls', async () => {
    const model = scriptedModel(['a', 'b']);
    const second = model.waitForCalls(2);
    await streamText({ model, prompt: 'x' }).consumeStream();
    await streamText({ model, prompt: 'y' }).consumeStream();
    await second;
    expect(model.doStreamCalls).toHaveLength(2);
    // A UI message reducer sees a normal answer.
    const stream = streamText({
      model: scriptedModel(['hi there']),
      prompt: 'z',
    }).toUIMessageStream();
    let text = '';
    for await (const message of readUIMessageStream({ stream })) {
      text = message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
    }
    expect(text).toBe('hi there');
  });
});
