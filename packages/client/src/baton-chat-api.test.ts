import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { BatonApiError } from './baton-api-error.ts';
import { createPlaygroundSession, fetchMessages, stopGeneration } from './baton-chat-api.ts';

type CapturedRequest = { url: string; method: string; headers: Headers; body: unknown };

function fakeFetch(response: Response) {
  const requests: CapturedRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return response;
  };
  return { fetch, requests };
}

describe('stopGeneration', () => {
  it('posts to the stop route with the bearer token', async () => {
    const { fetch, requests } = fakeFetch(Response.json({ ok: true }, { status: 202 }));

    await stopGeneration('chat/1', { baseUrl: 'http://gateway.test/', token: 'token-1', fetch });

    expect(requests).toEqual([
      expect.objectContaining({
        url: 'http://gateway.test/api/chat/chat%2F1/stop',
        method: 'POST',
      }),
    ]);
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer token-1');
  });

  it("throws with the status and the server's error message", async () => {
    const { fetch } = fakeFetch(
      Response.json(
        { error: { code: 'UNAUTHORIZED', message: 'token expired' }, requestId: 'request-1' },
        { status: 401 },
      ),
    );

    const error = await stopGeneration('chat-1', { token: 'token-1', fetch }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(BatonApiError);
    expect(error).toMatchObject({
      message: 'POST /api/chat/chat-1/stop failed with status 401: token expired',
      status: 401,
      code: 'UNAUTHORIZED',
      requestId: 'request-1',
    });
  });

  it('keeps the status when the error body is not JSON', async () => {
    const { fetch } = fakeFetch(new Response('Bad Gateway', { status: 502 }));

    await expect(stopGeneration('chat-1', { token: 'token-1', fetch })).rejects.toThrow(
      'POST /api/chat/chat-1/stop failed with status 502',
    );
  });
});

describe('fetchMessages', () => {
  it('returns the persisted history', async () => {
    const messages: UIMessage[] = [
      { id: 'user-1', role: 'user', parts: [{ type: 'text', text: 'hi' }] },
    ];
    const { fetch, requests } = fakeFetch(Response.json({ messages }));

    expect(await fetchMessages('chat-1', { token: async () => 'token-2', fetch })).toEqual(
      messages,
    );
    expect(requests[0]?.url).toBe('/api/chat/chat-1/messages');
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer token-2');
  });

  it('rejects an answer without a messages array', async () => {
    const { fetch } = fakeFetch(Response.json({ items: [] }));

    await expect(fetchMessages('chat-1', { token: 'token-1', fetch })).rejects.toThrow(
      'answered without a "messages" array',
    );
  });
});

describe('createPlaygroundSession', () => {
  it('posts the agent without authorization and returns the session', async () => {
    const session = {
      chatId: 'chat-1',
      agent: 'demo',
      token: 'token-1',
      tokenExpiresAt: 1_900_000_000_000,
      isNew: true,
      isClosed: false,
    };
    const { fetch, requests } = fakeFetch(Response.json(session, { status: 201 }));

    expect(await createPlaygroundSession({ agent: 'demo', fetch })).toEqual(session);
    expect(requests[0]).toMatchObject({
      url: '/playground/sessions',
      method: 'POST',
      body: { agent: 'demo' },
    });
    expect(requests[0]?.headers.has('authorization')).toBe(false);
  });

  it('throws when the playground is disabled', async () => {
    const { fetch } = fakeFetch(
      Response.json({ error: { code: 'NOT_FOUND', message: 'not found' } }, { status: 404 }),
    );

    await expect(createPlaygroundSession({ agent: 'demo', fetch })).rejects.toMatchObject({
      status: 404,
      message: 'POST /playground/sessions failed with status 404: not found',
    });
  });
});
