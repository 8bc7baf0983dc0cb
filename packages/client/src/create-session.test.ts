import { describe, expect, it } from 'vitest';
import { BatonApiError } from './baton-api-error.ts';
import { createPlaygroundSession } from './baton-chat-api.ts';
import { createSession } from './create-session.ts';

type CapturedRequest = { url: string; headers: Headers; body: unknown };

function fakeFetch(response: () => Response) {
  const requests: CapturedRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return response();
  };
  return { fetch, requests };
}

const created = {
  chatId: 'chat-1',
  agent: 'support',
  token: 'chat-token',
  tokenExpiresAt: 1,
  isNew: true,
  isClosed: false,
  preloaded: true,
};

describe('createSession', () => {
  it('posts the session body with the secret key and resolves the preload outcome', async () => {
    const { fetch, requests } = fakeFetch(() => Response.json(created, { status: 201 }));

    const session = await createSession({
      baseUrl: 'http://gateway.test/',
      secret: 'the-secret',
      agent: 'support',
      chatId: 'chat-1',
      clientData: { userId: 'ada' },
      preload: true,
      fetch,
    });

    expect(session).toEqual(created);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('http://gateway.test/v1/sessions');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer the-secret');
    expect(requests[0]?.body).toEqual({
      agent: 'support',
      chatId: 'chat-1',
      clientData: { userId: 'ada' },
      preload: true,
    });
  });

  it("throws the server's refusal", async () => {
    const { fetch } = fakeFetch(() =>
      Response.json(
        { error: { code: 'INVALID_REQUEST', message: 'preload: expected boolean' } },
        { status: 400 },
      ),
    );
    const refused = createSession({ secret: 's', agent: 'support', fetch });
    await expect(refused).rejects.toBeInstanceOf(BatonApiError);
    await expect(refused).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });
});

describe('createPlaygroundSession', () => {
  it('asks for a preload only when told to', async () => {
    const { fetch, requests } = fakeFetch(() => Response.json(created, { status: 201 }));
    await createPlaygroundSession({ agent: 'demo', preload: true, fetch });
    await createPlaygroundSession({ agent: 'demo', chatId: 'chat-2', fetch });
    expect(requests.map((request) => request.body)).toEqual([
      { agent: 'demo', preload: true },
      { agent: 'demo', chatId: 'chat-2' },
    ]);
  });
});
