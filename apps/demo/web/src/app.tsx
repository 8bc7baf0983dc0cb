import { Suspense, use, useState } from 'react';
import { ChatView } from './chat-view.tsx';
import { loadPlayground, type PlaygroundLoad } from './load-playground.ts';

/** The playground shell: opens a chat, then renders it; "New chat" swaps in a fresh one. */
export function App({ initialLoad }: { initialLoad: Promise<PlaygroundLoad> }) {
  const [load, setLoad] = useState(initialLoad);
  const openChat = (isNewChat: boolean, agent?: string) =>
    setLoad(loadPlayground({ isNewChat, ...(agent === undefined ? {} : { agent }) }));

  return (
    <main className="playground">
      <Suspense fallback={<p className="notice">Opening chat…</p>}>
        <LoadedChat
          load={load}
          onNewChat={(agent) => openChat(true, agent)}
          onRetry={() => openChat(false)}
        />
      </Suspense>
    </main>
  );
}

function LoadedChat({
  load,
  onNewChat,
  onRetry,
}: {
  load: Promise<PlaygroundLoad>;
  onNewChat: (agent?: string) => void;
  onRetry: () => void;
}) {
  const result = use(load);
  if (result.status === 'failed') {
    return (
      <div className="notice" role="alert">
        <p>Could not open a chat: {result.message}</p>
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    );
  }
  // Keyed by chat: useChat keeps one Chat per id, and a new chat needs a new transport too.
  return <ChatView key={result.session.chatId} session={result.session} onNewChat={onNewChat} />;
}
