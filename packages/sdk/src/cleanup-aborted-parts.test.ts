import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { cleanupAbortedParts, INTERRUPTED_TOOL_ERROR_TEXT } from './cleanup-aborted-parts.ts';

describe('cleanupAbortedParts', () => {
  it('closes streaming text, drops unfinished tool input and closes tool calls without output', () => {
    const message = {
      id: 'a1',
      role: 'assistant',
      parts: [
        { type: 'step-start' },
        { type: 'text', text: 'Checking', state: 'streaming' },
        {
          type: 'tool-getWeather',
          toolCallId: 'c1',
          state: 'output-available',
          input: { city: 'Oslo' },
          output: { condition: 'snow' },
        },
        {
          type: 'tool-getWeather',
          toolCallId: 'c2',
          state: 'input-available',
          input: { city: 'Rome' },
        },
        { type: 'tool-getWeather', toolCallId: 'c3', state: 'input-streaming', input: undefined },
        { type: 'reasoning', text: 'hmm', state: 'streaming' },
      ],
    } as UIMessage;

    expect(cleanupAbortedParts(message).parts).toEqual([
      { type: 'step-start' },
      { type: 'text', text: 'Checking', state: 'done' },
      message.parts[2],
      {
        type: 'tool-getWeather',
        toolCallId: 'c2',
        state: 'output-error',
        input: { city: 'Rome' },
        errorText: INTERRUPTED_TOOL_ERROR_TEXT,
      },
      { type: 'reasoning', text: 'hmm', state: 'done' },
    ]);
  });
});
