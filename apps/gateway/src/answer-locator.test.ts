import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { ANSWER_GONE_TEXT, answerFromHistory } from './answer-locator.ts';

const question: UIMessage = { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] };
const reply: UIMessage = {
  id: 'a1',
  role: 'assistant',
  parts: [{ type: 'step-start' }, { type: 'text', text: 'hello', state: 'done' }],
};
const later: UIMessage = { id: 'u2', role: 'user', parts: [{ type: 'text', text: 'more' }] };

describe('answerFromHistory', () => {
  it('answers a user message with the assistant message after it', () => {
    const chunks = answerFromHistory([question, reply, later], question);
    expect(chunks[0]).toEqual({ type: 'start', messageId: 'a1' });
    expect(chunks).toContainEqual({ type: 'text-delta', id: 'text-1', delta: 'hello' });
    expect(chunks.at(-1)).toEqual({ type: 'finish' });
  });

  it('answers an assistant message sent back with what it gained since', () => {
    const sentBack: UIMessage = { ...reply, parts: reply.parts.slice(0, 1) };
    const chunks = answerFromHistory([question, reply], sentBack);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'text-start',
      'text-delta',
      'text-end',
      'finish',
    ]);
  });

  it('says so in an error chunk when the history no longer holds the answer', () => {
    const gone = [{ type: 'error', errorText: ANSWER_GONE_TEXT }];
    expect(answerFromHistory([question, reply], later)).toEqual(gone);
    expect(answerFromHistory([question], question)).toEqual(gone);
    expect(answerFromHistory([question, later], question)).toEqual(gone);
  });
});
