import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { chatCors } from './chat-cors.ts';

function appWith(origins: string[]) {
  const app = new Hono();
  app.use('/api/chat/*', chatCors(origins));
  app.post('/api/chat', (c) => c.text('turn'));
  app.get('/api/chat/:id/stream', (c) => c.text('stream'));
  app.post('/v1/sessions', (c) => c.text('session'));
  return app;
}

const preflight = (path: string, origin: string) =>
  new Request(`http://gateway${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('chatCors', () => {
  const app = appWith(['https://app.example']);

  it('lets a listed origin call the chat routes with a token', async () => {
    for (const path of ['/api/chat', '/api/chat/chat-1/stream']) {
      const response = await app.request(preflight(path, 'https://app.example'));
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    }
    const answer = await app.request('http://gateway/api/chat', {
      method: 'POST',
      headers: { origin: 'https://app.example' },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(answer.headers.get('access-control-expose-headers')).toContain(
      'x-vercel-ai-ui-message-stream',
    );
  });

  it('allows no other origin, and never the secret-key routes', async () => {
    const other = await app.request(preflight('/api/chat', 'https://evil.example'));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const secret = await app.request(preflight('/v1/sessions', 'https://app.example'));
    expect(secret.headers.get('access-control-allow-origin')).toBeNull();
  });
});
