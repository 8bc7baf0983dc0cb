import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ChatRequestIdentity, replacesAnswer, requestDigest } from './request-part-id.ts';

const userMessage = { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hello' }] };
const assistantMessage = { id: 'a1', role: 'assistant', parts: [{ type: 'step-start' }] };

describe('requestDigest', () => {
  it('is the same for a retry of the same request', () => {
    const request: ChatRequestIdentity = { trigger: 'submit-message', message: userMessage };
    const retry = JSON.parse(JSON.stringify(request)) as ChatRequestIdentity;
    expect(requestDigest(retry)).toBe(requestDigest(request));
    expect(requestDigest(retry, '1-0')).toBe(requestDigest(request, '1-0'));
  });

  it('hashes a plain submit as the key did before it covered messageId', () => {
    const former = createHash('sha256')
      .update('submit-message')
      .update(JSON.stringify(userMessage))
      .digest('base64url');
    expect(requestDigest({ trigger: 'submit-message', message: userMessage })).toBe(former);
  });

  it('tells apart the trigger, the messageId, the message and the input cursor', () => {
    const base: ChatRequestIdentity = { trigger: 'regenerate-message', message: userMessage };
    const digests = [
      requestDigest(base),
      requestDigest({ ...base, trigger: 'submit-message' }),
      requestDigest({ ...base, messageId: 'u1' }),
      requestDigest({ ...base, messageId: 'a1' }),
      requestDigest({ ...base, message: { ...userMessage, id: 'u2' } }),
      requestDigest(base, '0-0'),
      requestDigest(base, '1700000000000-0'),
      requestDigest({ ...base, messageId: 'a1' }, '1700000000000-0'),
    ];
    expect(new Set(digests).size).toBe(digests.length);
  });
});

describe('replacesAnswer', () => {
  it('holds for a regeneration and an edit, not for a new message or a message sent back', () => {
    expect(replacesAnswer({ trigger: 'regenerate-message', message: userMessage })).toBe(true);
    expect(
      replacesAnswer({ trigger: 'regenerate-message', messageId: 'a1', message: userMessage }),
    ).toBe(true);
    expect(
      replacesAnswer({ trigger: 'submit-message', messageId: 'u1', message: userMessage }),
    ).toBe(true);
    expect(replacesAnswer({ trigger: 'submit-message', message: userMessage })).toBe(false);
    expect(
      replacesAnswer({ trigger: 'submit-message', messageId: 'a1', message: assistantMessage }),
    ).toBe(false);
  });
});
