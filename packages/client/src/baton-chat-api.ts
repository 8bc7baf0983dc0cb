import type { CreateSessionResponse } from '@baton/protocol';
import type { UIMessage } from 'ai';
import { BatonApiError, isRecord } from './baton-api-error.ts';
import { postSession } from './create-session.ts';
import { bearerAuthorization, type TokenSource } from './token-source.ts';

/** Options shared by the helpers that call a chat route. */
export type BatonChatApiOptions = {
  /** The gateway origin (e.g. `http://localhost:3000`). Defaults to `''`: same origin. */
  baseUrl?: string;
  /** The chat's bearer token. */
  token: TokenSource;
  /** A `fetch` to use instead of `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the request. */
  signal?: AbortSignal;
};

/** Options of {@link createPlaygroundSession}. */
export type CreatePlaygroundSessionOptions = {
  /** The agent that answers the chat, e.g. `'demo'`. */
  agent: string;
  /** An existing chat to mint a new token for, if the gateway allows it; omit for a new chat. */
  chatId?: string;
  /**
   * Start the chat's run now, before its first message (docs/agents/preload.md): the agent's
   * `onPreload` runs while the user types. Answered with `preloaded`.
   */
  preload?: boolean;
  /** The gateway origin. Defaults to `''`: same origin. */
  baseUrl?: string;
  /** A `fetch` to use instead of `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the request. */
  signal?: AbortSignal;
};

/**
 * Stops the chat's in-flight generation on the server (`POST /api/chat/:id/stop`). Aborting the
 * fetch of a stream (`useChat().stop()`) only detaches this client; the turn keeps running.
 */
export async function stopGeneration(chatId: string, options: BatonChatApiOptions): Promise<void> {
  const response = await callChatRoute('POST', chatRouteUrl(chatId, '/stop', options), options);
  // Release the connection: the answer carries nothing this client needs.
  await response.body?.cancel();
}

/** Loads the chat's persisted history (`GET /api/chat/:id/messages`). */
export async function fetchMessages<UI_MESSAGE extends UIMessage = UIMessage>(
  chatId: string,
  options: BatonChatApiOptions,
): Promise<UI_MESSAGE[]> {
  const url = chatRouteUrl(chatId, '/messages', options);
  const response = await callChatRoute('GET', url, options);
  const json: unknown = await response.json();
  if (!isRecord(json) || !Array.isArray(json.messages)) {
    throw new Error(`GET ${url} answered without a "messages" array`);
  }
  return json.messages as UI_MESSAGE[];
}

/**
 * Creates a chat in the dev playground (`POST /playground/sessions`, no auth) and returns its id and
 * per-chat token. The route exists only when the gateway runs with the playground enabled.
 */
export async function createPlaygroundSession(
  options: CreatePlaygroundSessionOptions,
): Promise<CreateSessionResponse> {
  const { agent, chatId, preload, signal } = options;
  const url = `${trimBaseUrl(options.baseUrl)}/playground/sessions`;
  return await postSession(url, {
    body: {
      agent,
      ...(chatId === undefined ? {} : { chatId }),
      ...(preload ? { preload } : {}),
    },
    fetch: options.fetch,
    signal,
  });
}

function chatRouteUrl(chatId: string, suffix: string, options: BatonChatApiOptions): string {
  return `${trimBaseUrl(options.baseUrl)}/api/chat/${encodeURIComponent(chatId)}${suffix}`;
}

async function callChatRoute(
  method: 'GET' | 'POST',
  url: string,
  options: BatonChatApiOptions,
): Promise<Response> {
  // Looked up per call, not cached, in case something patches it later (as `ai` does).
  const fetch = options.fetch ?? globalThis.fetch;
  const response = await fetch(url, {
    method,
    headers: { authorization: await bearerAuthorization(options.token) },
    signal: options.signal ?? null,
  });
  if (!response.ok) {
    throw await BatonApiError.fromResponse(method, url, response);
  }
  return response;
}

function trimBaseUrl(baseUrl: string | undefined): string {
  return (baseUrl ?? '').replace(/\/+$/, '');
}
