'use client';

import { useChat } from '@ai-sdk/react';
import { createBatonTransport, fetchMessages } from '@baton/client';
import type { UIMessage } from 'ai';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type OpenedChat, openChat } from './actions';

type LoadedChat = OpenedChat & { messages: UIMessage[] };

/** How long before its expiry a token is renewed. */
const TOKEN_RENEWAL_MARGIN_MS = 60_000;

/**
 * Opens the chat named by `?chat=` (its history fetched from the gateway), or a new one, then
 * renders it. A reload keeps the chat, and an answer still streaming is picked up again.
 */
export function Chat() {
  const [chat, setChat] = useState<LoadedChat>();
  const [error, setError] = useState<string>();
  const isOpening = useRef(false);

  useEffect(() => {
    if (isOpening.current) return;
    isOpening.current = true;
    const url = new URL(window.location.href);
    const chatId = url.searchParams.get('chat') ?? undefined;
    void (async () => {
      const opened = await openChat(chatId);
      const messages =
        chatId === undefined
          ? []
          : await fetchMessages(opened.chatId, { token: opened.token, baseUrl: opened.gatewayUrl });
      url.searchParams.set('chat', opened.chatId);
      window.history.replaceState(null, '', url);
      setChat({ ...opened, messages });
    })().catch((caught: unknown) => setError(String(caught)));
  }, []);

  if (error !== undefined) return <p role="alert">Could not open the chat: {error}</p>;
  if (chat === undefined) return <p>Opening the chat…</p>;
  return <ChatWindow chat={chat} />;
}

function ChatWindow({ chat }: { chat: LoadedChat }) {
  // The browser talks to the gateway directly with the chat's token (the gateway allows this
  // app's origin: BATON_CORS_ORIGINS).
  // A token lasts an hour (BATON_TOKEN_TTL_SECONDS): one about to expire is renewed through the
  // server action before the request that would need it.
  const current = useRef({ token: chat.token, expiresAt: chat.tokenExpiresAt });
  const [transport] = useState(() =>
    createBatonTransport({
      api: `${chat.gatewayUrl}/api/chat`,
      token: async () => {
        if (Date.now() < current.current.expiresAt - TOKEN_RENEWAL_MARGIN_MS) {
          return current.current.token;
        }
        const renewed = await openChat(chat.chatId);
        if (renewed.chatId !== chat.chatId) {
          // The chat was closed meanwhile: go to the new one the action opened.
          window.location.assign(`?chat=${encodeURIComponent(renewed.chatId)}`);
        }
        current.current = { token: renewed.token, expiresAt: renewed.tokenExpiresAt };
        return renewed.token;
      },
    }),
  );
  const { messages, sendMessage, status, error } = useChat({
    id: chat.chatId,
    messages: chat.messages,
    transport,
    resume: true,
  });
  const [input, setInput] = useState('');
  const isBusy = status === 'submitted' || status === 'streaming';

  const send = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = input.trim();
    if (text === '' || isBusy) return;
    setInput('');
    void sendMessage({ text });
  };

  return (
    <section aria-label="Chat" data-status={status}>
      <ol className="messages">
        {messages.map((message) => (
          <li key={message.id} data-role={message.role}>
            <strong>{message.role === 'user' ? 'You' : 'Agent'}</strong>{' '}
            <span>
              {message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('')}
            </span>
          </li>
        ))}
      </ol>
      {error === undefined ? null : <p role="alert">{error.message}</p>}
      <form onSubmit={send}>
        <input
          aria-label="Message"
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder="Say something"
        />
        <button type="submit" disabled={isBusy}>
          Send
        </button>
      </form>
    </section>
  );
}
