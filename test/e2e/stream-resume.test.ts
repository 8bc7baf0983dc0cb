import { type BatonStack, readSseEvents, type SseEvent, startBatonStack } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// GET /api/chat/:id/stream at the HTTP level: a replay of the in-flight turn from its first chunk,
// and with Last-Event-ID exactly the events after that position: no duplicate, no gap.

let stack: BatonStack;

beforeAll(async () => {
  stack = await startBatonStack({ workers: 1, env: { BATON_DEMO_DELAY_MS: '20' } });
});

afterAll(async () => {
  await stack?.stop();
});

const MESSAGE = Array.from({ length: 40 }, (_, index) => `w${index}`).join(' ');

async function collect(response: Response, limit = Number.POSITIVE_INFINITY): Promise<SseEvent[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(response.body!)) {
    events.push(event);
    if (events.length >= limit) break;
  }
  return events;
}

describe('GET /api/chat/:id/stream', () => {
  it('replays the in-flight turn from its start, or resumes after Last-Event-ID', async () => {
    const { chatId, token } = await stack.createSession();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = await fetch(`${stack.gatewayUrl}/api/chat`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        id: chatId,
        message: { id: 'u1', role: 'user', parts: [{ type: 'text', text: MESSAGE }] },
      }),
    });
    const firstEvents = await collect(post, 6);
    const lastSeen = firstEvents.at(-1)?.id;
    expect(lastSeen).toMatch(/^\d+-\d+$/);

    const [replay, resumed] = await Promise.all([
      fetch(`${stack.gatewayUrl}/api/chat/${chatId}/stream`, { headers }).then((r) => collect(r)),
      fetch(`${stack.gatewayUrl}/api/chat/${chatId}/stream`, {
        headers: { ...headers, 'last-event-id': lastSeen ?? '' },
      }).then((r) => collect(r)),
    ]);

    expect(JSON.parse(replay[0]?.data ?? '{}')).toMatchObject({ type: 'start' });
    expect(replay.at(-1)?.data).toBe('[DONE]');
    expect(JSON.parse(replay.at(-2)?.data ?? '{}')).toMatchObject({ type: 'finish' });
    // The first client's events plus the resumed ones are the whole turn, in order, once each.
    expect([...firstEvents, ...resumed].map((event) => event.data)).toEqual(
      replay.map((event) => event.data),
    );
    expect(resumed.map((event) => event.id)).toEqual(replay.slice(6).map((event) => event.id));

    const settled = await fetch(`${stack.gatewayUrl}/api/chat/${chatId}/stream`, { headers });
    expect(settled.status).toBe(204);
  });
});
