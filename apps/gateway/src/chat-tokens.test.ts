import { describe, expect, it } from 'vitest';
import { ChatTokens } from './chat-tokens.ts';

const SECRET = 'a-secret-of-sufficient-length';

describe('ChatTokens', () => {
  it('mints a token that verifies for its chat until it expires', async () => {
    const tokens = new ChatTokens({ secret: SECRET, ttlSeconds: 60 });
    const { token, expiresAt } = await tokens.mint('chat-a');
    expect(await tokens.verify(token)).toEqual({ chatId: 'chat-a', expiresAt });

    const expired = await tokens.mint('chat-a', Date.now() - 61_000);
    expect(await tokens.verify(expired.token)).toBeUndefined();
  });

  it('refuses tokens signed with another secret, tampered tokens, and the secret itself', async () => {
    const tokens = new ChatTokens({ secret: SECRET, ttlSeconds: 60 });
    const other = new ChatTokens({ secret: `${SECRET}-other`, ttlSeconds: 60 });
    const { token } = await other.mint('chat-a');
    expect(await tokens.verify(token)).toBeUndefined();

    const mine = (await tokens.mint('chat-a')).token;
    const [header, , signature] = mine.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: 'chat-b', exp: 9_999_999_999 }),
    ).toString('base64url');
    expect(await tokens.verify(`${header}.${forgedPayload}.${signature}`)).toBeUndefined();
    expect(await tokens.verify(SECRET)).toBeUndefined();
    expect(tokens.isSecret(SECRET)).toBe(true);
    expect(tokens.isSecret(mine)).toBe(false);
    expect(tokens.isSecret(`${SECRET}x`)).toBe(false);
  });
});
