import { DefaultChatTransport, type HttpChatTransportInitOptions, type UIMessage } from 'ai';
import { bearerAuthorization, type TokenSource } from './token-source.ts';

/** The gateway's chat route; `GET <api>/:id/stream` is the resume route beside it. */
export const DEFAULT_CHAT_API = '/api/chat';

/** Options of {@link createBatonTransport}. */
export type BatonTransportOptions<UI_MESSAGE extends UIMessage = UIMessage> = {
  /** The chat route. Defaults to {@link DEFAULT_CHAT_API} (same origin). */
  api?: string;
  /** The per-chat token that `POST /playground/sessions` or `POST /v1/sessions` minted. */
  token: TokenSource;
  /** Extra headers on every request; the `authorization` header always comes from `token`. */
  headers?: HttpChatTransportInitOptions<UI_MESSAGE>['headers'];
  /** A `fetch` to use instead of `globalThis.fetch` (tests, middleware). */
  fetch?: HttpChatTransportInitOptions<UI_MESSAGE>['fetch'];
  /** Extra body fields on every send: the turn's client data. */
  body?: HttpChatTransportInitOptions<UI_MESSAGE>['body'];
};

/**
 * Creates the chat transport for a Baton gateway: the stock `DefaultChatTransport` wire, except that
 * each send carries only the last message (the server holds the history) and every send and
 * reconnect carries the chat's bearer token.
 *
 * Resumes replay the in-flight turn from its `start` chunk, so `resumeStreamIsReplay` stays `true`.
 *
 * @example
 * ```ts
 * const { messages, sendMessage } = useChat({
 *   id: chatId,
 *   messages: await fetchMessages(chatId, { token }),
 *   transport: createBatonTransport({ token }),
 *   resume: true,
 * });
 * ```
 */
export function createBatonTransport<UI_MESSAGE extends UIMessage = UIMessage>(
  options: BatonTransportOptions<UI_MESSAGE>,
): DefaultChatTransport<UI_MESSAGE> {
  const { api = DEFAULT_CHAT_API, token, headers, fetch, body } = options;
  return new DefaultChatTransport<UI_MESSAGE>({
    api,
    fetch,
    body,
    // The transport resolves a header function before every send and every reconnect, so one
    // function covers both routes and calls a token getter each time.
    headers: async () => {
      const merged = new Headers(typeof headers === 'function' ? await headers() : await headers);
      merged.set('authorization', await bearerAuthorization(token));
      return merged;
    },
    // The returned body replaces the whole default body (tech-facts section 1). Returning no
    // `headers` keeps the merged transport and per-call headers.
    prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body: mergedBody }) => ({
      body: { ...mergedBody, id, message: messages.at(-1), trigger, messageId },
    }),
  });
}
