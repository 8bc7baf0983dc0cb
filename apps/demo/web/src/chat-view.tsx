import { useChat } from '@ai-sdk/react';
import { createBatonTransport, stopGeneration } from '@baton/client';
import { lastAssistantMessageIsCompleteWithApprovalResponses } from 'ai';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { PlaygroundSession } from './load-playground.ts';
import { MessageView } from './message-view.tsx';

/** One chat: its messages, the composer, Stop, New chat and the agent of a new chat. */
export function ChatView({
  session,
  onNewChat,
}: {
  session: PlaygroundSession;
  onNewChat: (agent?: string) => void;
}) {
  const { chatId, token, agent, agents } = session;
  const [transport] = useState(() => createBatonTransport({ token }));
  // `resume` asks `GET /api/chat/:id/stream` on mount: a reload in the middle of a turn re-attaches
  // to it (the gateway replays the turn from its `start` chunk, or answers 204). Once every
  // approval of the last step is answered, the assistant message goes back and the agent continues.
  const { messages, sendMessage, stop, status, error, addToolApprovalResponse } = useChat({
    id: chatId,
    messages: session.messages,
    transport,
    resume: true,
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const [input, setInput] = useState('');
  const [isStopping, setIsStopping] = useState(false);
  const [stopError, setStopError] = useState<string>();
  const endRef = useRef<HTMLDivElement>(null);
  const isBusy = status === 'submitted' || status === 'streaming';

  // Follow the conversation as it streams: every chunk replaces the messages array.
  useEffect(() => {
    if (messages.length > 0) {
      endRef.current?.scrollIntoView({ block: 'end' });
    }
  }, [messages]);

  const send = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = input.trim();
    if (text === '' || isBusy) {
      return;
    }
    setInput('');
    setStopError(undefined);
    void sendMessage({ text });
  };

  // Closing the fetch does not stop a durable turn, so the server is told first; the stream then
  // ends by itself with what the server kept. `stop()` afterwards detaches this client in any
  // case, also when the stop request failed.
  const stopTurn = async () => {
    setIsStopping(true);
    try {
      await stopGeneration(chatId, { token });
    } catch (caught) {
      setStopError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      await stop();
      setIsStopping(false);
    }
  };

  return (
    <section className="chat" aria-label="Chat">
      <header className="chat-header">
        <h1>Baton playground</h1>
        <span className="chat-id" title="Chat id">
          {chatId}
        </span>
        <select
          aria-label="Agent"
          title="The agent of this chat; choosing another starts a new chat"
          value={agent}
          onChange={(event) => onNewChat(event.target.value)}
        >
          {(agents.includes(agent) ? agents : [agent, ...agents]).map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => onNewChat(agent)}>
          New chat
        </button>
      </header>

      <ol className="messages" data-testid="messages" aria-live="polite">
        {messages.length === 0 ? (
          <li className="empty">Say hello to the demo agent.</li>
        ) : (
          messages.map((message) => (
            <MessageView
              key={message.id}
              message={message}
              // Answered between turns: `useChat` auto-sends only when no stream is open.
              onApprovalResponse={isBusy ? undefined : addToolApprovalResponse}
            />
          ))
        )}
      </ol>
      <div ref={endRef} />

      <footer className="chat-footer">
        <p className="status" data-testid="status" role="status">
          Status: {status}
        </p>
        {error !== undefined && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        {stopError !== undefined && (
          <p className="error" role="alert">
            Stop failed: {stopError}
          </p>
        )}
        <form className="composer" onSubmit={send}>
          <input
            aria-label="Message"
            placeholder="Ask about the weather in Paris, or book a table…"
            value={input}
            onChange={(event) => setInput(event.target.value)}
            autoComplete="off"
            // biome-ignore lint/a11y/noAutofocus: the composer is the only control that matters here
            autoFocus
          />
          <button type="submit" disabled={isBusy || input.trim() === ''}>
            Send
          </button>
          <button
            type="button"
            disabled={!isBusy || isStopping}
            onClick={() => {
              void stopTurn();
            }}
          >
            Stop
          </button>
        </form>
      </footer>
    </section>
  );
}
