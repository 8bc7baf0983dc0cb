import { isPreloadRun } from '../chat-preload.ts';
import type { ChatRun } from './chat-run.ts';
import type { ClientDataValidator } from './client-data-validation.ts';
import type { ChatTaskPreloadPayload } from './wire-payload.ts';

/**
 * The payload a custom agent's `run` gets first on the run a preload started, before the chat's
 * first message (Trigger.dev's `trigger: "preload"`): the session's client data, validated as a
 * message's is. Undefined on any other run, and when that client data is invalid (logged and
 * reported to the validation callbacks; the run then waits for the first message as any run does,
 * and nothing reaches the agent before).
 */
export async function preloadPayloadOf(
  run: ChatRun,
  validateClientData: ClientDataValidator | undefined,
): Promise<ChatTaskPreloadPayload | undefined> {
  const { state, logger } = run.session;
  if (!isPreloadRun(state)) return undefined;
  let metadata = state.sessionClientData;
  if (validateClientData) {
    const validation = await validateClientData(metadata, {
      trigger: 'preload',
      message: undefined,
    });
    if (!validation.ok) {
      logger.warn({ err: validation.error }, 'invalid session client data; preload skipped');
      return undefined;
    }
    metadata = validation.value as typeof metadata;
  }
  return {
    chatId: state.chatId,
    runId: state.runId,
    trigger: 'preload',
    metadata,
    continuation: false,
  };
}
