import type { AgentSession } from '../agent-session.ts';
import { readAgentState, serializeAgentState } from '../agent-state.ts';
import type { ChatContext } from '../chat-context.ts';

/**
 * Whether the chat's stored agent state carries `chat.endAndContinue`'s mark: the run that finds
 * it is a continuation (Trigger.dev's `continuation: true` after a handoff), whatever ended the
 * run before it. The mark lives in the SDK's own part of the checkpoint, so any worker's run
 * finds it, and the run's first checkpoint drops it.
 */
export function hasHandoffMark(session: AgentSession): boolean {
  return readAgentState(session.state.agentState, session.logger).continuation === true;
}

/**
 * The whole agent state of the run (`chat.local` values, queued injections), serialized for a
 * checkpoint, with the handoff mark or without it; undefined when it cannot be kept (logged).
 */
export function agentStateWithMark(
  context: ChatContext,
  session: AgentSession,
  isMarked: boolean,
): string | undefined {
  return serializeAgentState(
    {
      locals: context.locals.snapshot(),
      injections: context.injections.snapshot(),
      ...(isMarked ? { continuation: true } : {}),
    },
    session.logger,
  );
}
