import type { CreateSessionBody, CreateSessionResponse } from '@baton/protocol';
import { BatonApiError, isRecord } from './baton-api-error.ts';

/** Options of {@link createSession}. */
export type CreateSessionOptions = CreateSessionBody & {
  /** The gateway origin (e.g. `http://baton.internal:3000`). Defaults to `''`: same origin. */
  baseUrl?: string;
  /** The gateway's secret key (`BATON_SECRET`): server-side only, never in a browser. */
  secret: string;
  /** A `fetch` to use instead of `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the request. */
  signal?: AbortSignal;
};

/**
 * Creates (or ensures) a chat's session on the server side (`POST /v1/sessions`, secret key) and
 * mints its per-chat token, the one a browser's transport holds. With `preload: true` the chat's
 * run starts now, before its first message (Trigger.dev's `transport.preload`): the agent runs
 * `onPreload` while the user types, and the first message is answered by that run
 * (docs/agents/preload.md). `preloaded` in the answer says whether this call started it; a chat
 * that already runs or ran is left as it is.
 *
 * @example
 * ```ts
 * // In your server's "open a chat" handler:
 * const { chatId, token, preloaded } = await createSession({
 *   baseUrl: process.env.BATON_URL,
 *   secret: process.env.BATON_SECRET,
 *   agent: 'support',
 *   clientData: { userId: user.id },
 *   preload: true,
 * });
 * ```
 */
export async function createSession(options: CreateSessionOptions): Promise<CreateSessionResponse> {
  const { baseUrl, secret, fetch: customFetch, signal, ...body } = options;
  const url = `${(baseUrl ?? '').replace(/\/+$/, '')}/v1/sessions`;
  // Looked up per call, not cached, in case something patches it later (as `ai` does).
  return await postSession(url, {
    headers: { authorization: `Bearer ${secret}` },
    body,
    fetch: customFetch,
    signal,
  });
}

/**
 * Posts a session request (`/v1/sessions`, `/playground/sessions`) and reads the chat id and token
 * of its answer; a refused request throws a `BatonApiError`.
 */
export async function postSession(
  url: string,
  request: {
    headers?: Record<string, string>;
    body: unknown;
    fetch?: typeof globalThis.fetch | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<CreateSessionResponse> {
  // Looked up per call, not cached, in case something patches it later (as `ai` does).
  const fetch = request.fetch ?? globalThis.fetch;
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...request.headers, 'content-type': 'application/json' },
    body: JSON.stringify(request.body),
    signal: request.signal ?? null,
  });
  if (!response.ok) {
    throw await BatonApiError.fromResponse('POST', url, response);
  }
  const json: unknown = await response.json();
  if (!isRecord(json) || typeof json.chatId !== 'string' || typeof json.token !== 'string') {
    throw new Error(`POST ${url} answered without a chatId and a token`);
  }
  return json as CreateSessionResponse;
}
