import { BatonApiError, createPlaygroundSession, fetchMessages } from '@baton/client';
import type { UIMessage } from 'ai';

/** The agent a new chat talks to when the URL names none and the workers host it. */
const DEFAULT_AGENT = 'demo';
/** The query parameters that keep the chat, and its agent, across reloads. */
const CHAT_PARAMETER = 'chat';
const AGENT_PARAMETER = 'agent';
/**
 * Statuses that mean the stored token no longer opens the chat: expired or minted by another
 * gateway (401/403), or a chat the gateway no longer knows (404). Anything else is reported.
 */
const STALE_TOKEN_STATUSES = new Set([401, 403, 404]);

/**
 * A chat the page can render: its id, its token, its persisted history, its agent, and the agents
 * live workers host (the page offers them for a new chat).
 */
export type PlaygroundSession = {
  chatId: string;
  token: string;
  messages: UIMessage[];
  agent: string;
  agents: string[];
};

/** The outcome of {@link loadPlayground}; it never rejects, so React can `use()` it directly. */
export type PlaygroundLoad =
  | { status: 'ready'; session: PlaygroundSession }
  | { status: 'failed'; message: string };

/**
 * Opens the chat named by `?chat=<id>` with the token this tab stored for it, or creates a new
 * playground chat with `agent` (else `?agent=`, else the demo agent or the first live one) and
 * records it in the URL and in `sessionStorage`, so a reload keeps the chat.
 */
export async function loadPlayground(options: {
  isNewChat: boolean;
  agent?: string;
}): Promise<PlaygroundLoad> {
  try {
    const agents = await fetchLiveAgents();
    const existing = options.isNewChat ? undefined : await openStoredChat(agents);
    return {
      status: 'ready',
      session: existing ?? (await createChat(chooseAgent(agents, options.agent), agents)),
    };
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

async function fetchLiveAgents(): Promise<string[]> {
  const response = await fetch('/playground/agents');
  if (!response.ok) {
    throw new Error(`the gateway lists no agents (${response.status}); is it a baton dev gateway?`);
  }
  const { agents } = (await response.json()) as { agents: { id: string }[] };
  return agents.map((agent) => agent.id);
}

function chooseAgent(agents: string[], wanted: string | undefined): string {
  const named = wanted ?? new URL(window.location.href).searchParams.get(AGENT_PARAMETER);
  if (named !== null && agents.includes(named)) return named;
  const agent = agents.includes(DEFAULT_AGENT) ? DEFAULT_AGENT : agents[0];
  if (agent === undefined) throw new Error('no worker hosts an agent yet');
  return agent;
}

async function openStoredChat(agents: string[]): Promise<PlaygroundSession | undefined> {
  const url = new URL(window.location.href);
  const chatId = url.searchParams.get(CHAT_PARAMETER);
  const agent = url.searchParams.get(AGENT_PARAMETER) ?? DEFAULT_AGENT;
  const token = chatId === null ? null : sessionStorage.getItem(tokenKey(chatId));
  if (chatId === null || token === null) {
    return undefined;
  }
  try {
    return { chatId, token, messages: await fetchMessages(chatId, { token }), agent, agents };
  } catch (error) {
    if (error instanceof BatonApiError && STALE_TOKEN_STATUSES.has(error.status)) {
      sessionStorage.removeItem(tokenKey(chatId));
      return undefined;
    }
    throw error;
  }
}

async function createChat(agent: string, agents: string[]): Promise<PlaygroundSession> {
  const { chatId, token } = await createPlaygroundSession({ agent });
  sessionStorage.setItem(tokenKey(chatId), token);
  const url = new URL(window.location.href);
  url.searchParams.set(CHAT_PARAMETER, chatId);
  url.searchParams.set(AGENT_PARAMETER, agent);
  window.history.replaceState(null, '', url);
  return { chatId, token, messages: [], agent, agents };
}

/** One key per chat: a tab that opened several chats keeps every token. */
function tokenKey(chatId: string): string {
  return `baton.playground.token.${chatId}`;
}
