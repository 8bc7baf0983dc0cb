import { BatonApiError, createPlaygroundSession, fetchMessages } from '@baton/client';
import type { UIMessage } from 'ai';

/** The agent the playground talks to. */
const AGENT = 'demo';
/** The query parameter that keeps the chat across reloads. */
const CHAT_PARAMETER = 'chat';
/**
 * Statuses that mean the stored token no longer opens the chat: expired or minted by another
 * gateway (401/403), or a chat the gateway no longer knows (404). Anything else is reported.
 */
const STALE_TOKEN_STATUSES = new Set([401, 403, 404]);

/** A chat the page can render: its id, its token and its persisted history. */
export type PlaygroundSession = { chatId: string; token: string; messages: UIMessage[] };

/** The outcome of {@link loadPlayground}; it never rejects, so React can `use()` it directly. */
export type PlaygroundLoad =
  | { status: 'ready'; session: PlaygroundSession }
  | { status: 'failed'; message: string };

/**
 * Opens the chat named by `?chat=<id>` with the token this tab stored for it, or creates a new
 * playground chat and records it in the URL and in `sessionStorage`, so a reload keeps the chat.
 */
export async function loadPlayground(options: { isNewChat: boolean }): Promise<PlaygroundLoad> {
  try {
    const existing = options.isNewChat ? undefined : await openStoredChat();
    return { status: 'ready', session: existing ?? (await createChat()) };
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

async function openStoredChat(): Promise<PlaygroundSession | undefined> {
  const chatId = new URL(window.location.href).searchParams.get(CHAT_PARAMETER);
  const token = chatId === null ? null : sessionStorage.getItem(tokenKey(chatId));
  if (chatId === null || token === null) {
    return undefined;
  }
  try {
    return { chatId, token, messages: await fetchMessages(chatId, { token }) };
  } catch (error) {
    if (error instanceof BatonApiError && STALE_TOKEN_STATUSES.has(error.status)) {
      sessionStorage.removeItem(tokenKey(chatId));
      return undefined;
    }
    throw error;
  }
}

async function createChat(): Promise<PlaygroundSession> {
  const { chatId, token } = await createPlaygroundSession({ agent: AGENT });
  sessionStorage.setItem(tokenKey(chatId), token);
  const url = new URL(window.location.href);
  url.searchParams.set(CHAT_PARAMETER, chatId);
  window.history.replaceState(null, '', url);
  return { chatId, token, messages: [] };
}

/** One key per chat: a tab that opened several chats keeps every token. */
function tokenKey(chatId: string): string {
  return `baton.playground.token.${chatId}`;
}
