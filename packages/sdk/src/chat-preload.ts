import type { ToolSet } from 'ai';
import type { AgentSession, SessionState } from './agent-session.ts';
import type { ChatAgentOptions, ClientDataOf } from './chat-agent-options.ts';
import type { RuntimeSettings } from './runtime-settings.ts';
import { type StandardSchema, validateWithSchema } from './standard-schema.ts';

/**
 * The preload phase of a chat's run (docs/agents/preload.md). A preload
 * (`POST /v1/sessions` with `preload: true`) starts the chat's run before its first message; the
 * run calls `onPreload` and waits warm for that message, `preloadIdleTimeoutInSeconds`. Past it,
 * the chat suspends (`onChatSuspend`, phase `preload`) and the first message resumes it on any
 * worker (`onChatResume`, phase `preload`), as any suspended chat resumes.
 */

/** Whether this run is the one a preload started: it calls `onPreload` before its first wait. */
export function isPreloadRun(state: SessionState): boolean {
  return state.preloaded === true && !state.isResume && state.turns === 0;
}

/** Whether the chat is preloaded and still waits for its first message (phase `preload`). */
export function isAwaitingFirstMessage(state: Pick<SessionState, 'preloaded' | 'turns'>): boolean {
  return state.preloaded === true && state.turns === 0;
}

/**
 * The warm wait for the next message: `preloadIdleTimeoutInSeconds` for a preloaded chat's first
 * message (Trigger.dev's default: the idle timeout), else the idle timeout.
 */
export function idleTimeoutMsOf(
  options: Pick<ChatAgentOptions, 'preloadIdleTimeoutInSeconds'>,
  settings: RuntimeSettings,
  state: Pick<SessionState, 'preloaded' | 'turns'>,
): number {
  const seconds = isAwaitingFirstMessage(state)
    ? (options.preloadIdleTimeoutInSeconds ?? settings.idleTimeoutInSeconds)
    : settings.idleTimeoutInSeconds;
  return seconds * 1000;
}

/**
 * Calls `onPreload` with the session's client data, validated by `clientDataSchema` as a turn's
 * is. Resolves that client data (for `onChatSuspend` of phase `preload`), undefined when it is
 * invalid. Neither invalid client data nor a throwing hook fails the run: they are logged, and
 * the run waits for the first message, whose turn validates its own client data.
 */
export async function runPreload<Schema extends StandardSchema | undefined, Tools extends ToolSet>(
  options: ChatAgentOptions<Schema, Tools>,
  session: AgentSession,
): Promise<ClientDataOf<Schema> | undefined> {
  const { chatId, runId, sessionClientData } = session.state;
  let clientData = sessionClientData as ClientDataOf<Schema>;
  if (options.clientDataSchema) {
    try {
      clientData = (await validateWithSchema(
        options.clientDataSchema,
        sessionClientData,
      )) as ClientDataOf<Schema>;
    } catch (error) {
      session.logger.warn({ err: error }, 'invalid session client data; onPreload skipped');
      return undefined;
    }
  }
  try {
    await options.onPreload?.({ chatId, runId, clientData });
  } catch (error) {
    session.logger.error({ err: error }, 'onPreload failed');
  }
  return clientData;
}
