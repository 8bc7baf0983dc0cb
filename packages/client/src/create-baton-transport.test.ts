import type { UIMessage, UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { createBatonTransport } from './create-baton-transport.ts';

type CapturedRequest = { url: string; method: string; headers: Headers; body: unknown };

/** A fake `fetch` that records each request and answers with the next queued response. */
function fakeFetch(...responses: Response[]) {
  const requests: CapturedRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const response = responses.shift();
    if (response === undefined) {
      throw new Error('fake fetch: no response queued');
    }
    return response;
  };
  return { fetch, requests };
}

function sseResponse(chunks: UIMessageChunk[]): Response {
  const events = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('');
  return new Response(`${events}data: [DONE]\n\n`, {
    headers: { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' },
  });
}

async function readAll(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

const answer: UIMessageChunk[] = [
  { type: 'start', messageId: 'assistant-2' },
  { type: 'text-start', id: 'text-1' },
  { type: 'text-delta', id: 'text-1', delta: 'Hello' },
  { type: 'text-end', id: 'text-1' },
  { type: 'finish' },
];

const history: UIMessage[] = [
  { id: 'user-1', role: 'user', parts: [{ type: 'text', text: 'first' }] },
  { id: 'assistant-1', role: 'assistant', parts: [{ type: 'text', text: 'reply' }] },
  { id: 'user-2', role: 'user', parts: [{ type: 'text', text: 'second' }] },
];

describe('createBatonTransport', () => {
  it('sends only the last message, the trigger and the bearer token', async () => {
    const { fetch, requests } = fakeFetch(sseResponse(answer));
    const transport = createBatonTransport({
      token: 'token-1',
      fetch,
      headers: { 'x-trace': 'trace-1' },
      body: { locale: 'en' },
    });

    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId: 'chat-1',
      messageId: undefined,
      messages: history,
      abortSignal: undefined,
      body: { mood: 'calm' },
    });

    expect(await readAll(stream)).toEqual(answer);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe('/api/chat');
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('authorization')).toBe('Bearer token-1');
    expect(request?.headers.get('x-trace')).toBe('trace-1');
    expect(request?.headers.get('content-type')).toBe('application/json');
    // `messageId: undefined` drops out of the JSON; no `messages` array travels.
    expect(request?.body).toEqual({
      locale: 'en',
      mood: 'calm',
      id: 'chat-1',
      message: history[2],
      trigger: 'submit-message',
    });
  });

  it('keeps the messageId of a regenerate and calls the token function per request', async () => {
    const { fetch, requests } = fakeFetch(sseResponse(answer), sseResponse(answer));
    let issued = 0;
    const transport = createBatonTransport({
      api: 'http://gateway.test/api/chat',
      token: async () => `token-${++issued}`,
      fetch,
    });

    for (const trigger of ['submit-message', 'regenerate-message'] as const) {
      const stream = await transport.sendMessages({
        trigger,
        chatId: 'chat-1',
        messageId: 'assistant-1',
        messages: history.slice(0, 1),
        abortSignal: undefined,
      });
      await readAll(stream);
    }

    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(requests[1]?.url).toBe('http://gateway.test/api/chat');
    expect(requests[1]?.body).toEqual({
      id: 'chat-1',
      message: history[0],
      trigger: 'regenerate-message',
      messageId: 'assistant-1',
    });
  });

  it('reconnects with the bearer token and returns null on 204', async () => {
    const { fetch, requests } = fakeFetch(new Response(null, { status: 204 }));
    const transport = createBatonTransport({ token: () => 'token-1', fetch });

    const stream = await transport.reconnectToStream({ chatId: 'chat 1' });

    expect(stream).toBeNull();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/api/chat/chat%201/stream');
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.body).toBeUndefined();
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer token-1');
  });

  it('replays an in-flight turn on reconnect', async () => {
    const { fetch } = fakeFetch(sseResponse(answer));
    const transport = createBatonTransport({ token: 'token-1', fetch });

    const stream = await transport.reconnectToStream({ chatId: 'chat-1' });

    expect(transport.resumeStreamIsReplay).toBe(true);
    expect(stream).not.toBeNull();
    if (stream !== null) {
      expect(await readAll(stream)).toEqual(answer);
    }
  });

  it('lets the token win over a caller header of another case', async () => {
    const { fetch, requests } = fakeFetch(new Response(null, { status: 204 }));
    const transport = createBatonTransport({
      token: 'token-1',
      fetch,
      headers: async () => new Headers({ Authorization: 'Bearer stale' }),
    });

    await transport.reconnectToStream({ chatId: 'chat-1' });

    expect(requests[0]?.headers.get('authorization')).toBe('Bearer token-1');
  });
});
