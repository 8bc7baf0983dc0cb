import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign, verify } from 'hono/jwt';

export type ChatTokenClaims = { chatId: string; expiresAt: number };

const TOKEN_KEY_LABEL = 'baton-chat-token-v1';
const ALGORITHM = 'HS256';

/**
 * Per-chat access tokens: short-lived HS256 JWTs whose subject is one chat id. Browsers hold only
 * these; the secret key stays on servers. The signing key is derived from the secret, so a token
 * never doubles as the secret and the label can rotate the whole token space.
 */
export class ChatTokens {
  readonly #key: string;
  readonly #secret: Buffer;
  readonly #ttlSeconds: number;

  constructor(options: { secret: string; ttlSeconds: number }) {
    this.#secret = Buffer.from(options.secret);
    this.#key = createHmac('sha256', options.secret).update(TOKEN_KEY_LABEL).digest('base64url');
    this.#ttlSeconds = options.ttlSeconds;
  }

  async mint(chatId: string, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const expiresAtSeconds = Math.floor(now / 1000) + this.#ttlSeconds;
    const token = await sign(
      { sub: chatId, scope: 'chat:read chat:write', exp: expiresAtSeconds },
      this.#key,
      ALGORITHM,
    );
    return { token, expiresAt: expiresAtSeconds * 1000 };
  }

  /** Resolves the claims of a valid token, or undefined for a missing, forged or expired one. */
  async verify(token: string): Promise<ChatTokenClaims | undefined> {
    try {
      const payload = await verify(token, this.#key, ALGORITHM);
      if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
      return { chatId: payload.sub, expiresAt: payload.exp * 1000 };
    } catch {
      return undefined;
    }
  }

  /** Compares a bearer value with the secret key in constant time. */
  isSecret(candidate: string): boolean {
    const value = Buffer.from(candidate);
    return value.length === this.#secret.length && timingSafeEqual(value, this.#secret);
  }
}
