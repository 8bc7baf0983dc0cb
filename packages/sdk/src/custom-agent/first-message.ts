import { chatMessages } from './chat-messages.ts';
import type { ChatTaskMessagePayload, ChatTaskWirePayload } from './wire-payload.ts';

/**
 * The first message a loop answers (`chat.createSession`): the payload's own, or, on the run a
 * preload started (`trigger: "preload"`, no message), the chat's first message, waited for warm
 * up to `idleTimeoutInSeconds` (Trigger.dev's preload wait). Undefined when the chat suspended,
 * moved to another worker or the run was cancelled first: the loop then ends, and the first
 * message re-enters `run` on whichever worker claims the chat (docs/agents/preload.md).
 */
export async function firstMessageOf(
  payload: ChatTaskWirePayload,
  options: { idleTimeoutInSeconds?: number | undefined },
): Promise<ChatTaskMessagePayload | undefined> {
  if (payload.trigger !== 'preload') return payload;
  const next = await chatMessages.waitWithIdleTimeout(
    options.idleTimeoutInSeconds === undefined
      ? {}
      : { idleTimeoutInSeconds: options.idleTimeoutInSeconds },
  );
  return next.ok ? next.output : undefined;
}
