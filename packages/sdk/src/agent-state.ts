import type { ModelMessage } from 'ai';
import type { Logger } from './logger.ts';

/**
 * What a chat keeps of its agent's run besides the history: `chat.local` values and the messages
 * `chat.inject` queued for the next inference call. Checkpointed with each turn (and again when a
 * hook changes it after the turn), restored by whichever run resumes the chat, on any worker:
 * Trigger.dev keeps the same in its run's memory and its transcript `state`.
 */
export type AgentState = {
  locals: Record<string, unknown>;
  injections: ModelMessage[];
  /**
   * Set by a custom agent's `chat.endAndContinue()`: the next run is a continuation (Trigger.dev's
   * `continuation: true`). Its first checkpoint drops it (docs/agents/custom-agents.md).
   */
  continuation?: true;
  /**
   * The agent's transcript storage may not hold everything the checkpoint does (a save failed,
   * or the run ended before it was confirmed): the next run diffs against what `load` returns.
   */
  transcriptBehind?: true;
};

/** A serialized state above this is not checkpointed (logged): it would slow every claim. */
export const MAX_AGENT_STATE_BYTES = 1024 * 1024;

export function emptyAgentState(): AgentState {
  return { locals: {}, injections: [] };
}

/** The checkpointed state; an empty one when none was kept or it cannot be read (logged). */
export function readAgentState(serialized: string | undefined, logger: Logger): AgentState {
  if (!serialized) return emptyAgentState();
  try {
    const parsed = JSON.parse(serialized) as Partial<AgentState>;
    return {
      locals: isRecord(parsed.locals) ? parsed.locals : {},
      injections: Array.isArray(parsed.injections) ? parsed.injections : [],
      ...(parsed.continuation === true ? { continuation: true } : {}),
      ...(parsed.transcriptBehind === true ? { transcriptBehind: true } : {}),
    };
  } catch (error) {
    logger.error({ err: error }, 'the checkpointed agent state is unreadable; starting empty');
    return emptyAgentState();
  }
}

/**
 * The state as the checkpoint keeps it, or undefined when it cannot be kept (not JSON, or larger
 * than `MAX_AGENT_STATE_BYTES`): logged, and the previous checkpoint's state stays.
 */
export function serializeAgentState(state: AgentState, logger: Logger): string | undefined {
  let serialized: string;
  try {
    serialized = JSON.stringify(state);
  } catch (error) {
    logger.error({ err: error }, 'chat.local values must be JSON: the agent state is not kept');
    return undefined;
  }
  if (Buffer.byteLength(serialized) > MAX_AGENT_STATE_BYTES) {
    logger.error(
      { bytes: Buffer.byteLength(serialized), limit: MAX_AGENT_STATE_BYTES },
      'the agent state (chat.local values, queued injections) is too large to checkpoint',
    );
    return undefined;
  }
  return serialized;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
