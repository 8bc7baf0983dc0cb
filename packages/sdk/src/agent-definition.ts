import type { AgentSession } from './agent-session.ts';

/**
 * How a run of a chat ends: `suspended` (idle: checkpointed, released), `handed-over` (another run
 * continues it), `cancelled` (the run lost the chat), `closed` (`chat.close`: nothing continues).
 */
export type RunEndReason = 'suspended' | 'handed-over' | 'cancelled' | 'closed';

/** Settings a worker gives every session it runs. */
export type AgentRuntimeDefaults = { idleTimeoutInSeconds: number };

const AGENT_MARKER = Symbol.for('baton.agent');

/**
 * A registered agent, as the worker loads it from an agent module: what `chat.agent` and
 * `chat.customAgent` return. The worker knows agents only through this.
 */
export type AgentDefinition = {
  readonly id: string;
  readonly version: string | undefined;
  readonly idleTimeoutInSeconds: number | undefined;
  /** Runs the chat until it suspends, is handed over, is cancelled or is closed (`chat.close`). */
  runSession(session: AgentSession, defaults: AgentRuntimeDefaults): Promise<RunEndReason>;
  readonly [AGENT_MARKER]: true;
};

/** Whether a module export is an agent (works across duplicated module instances). */
export function isAgentDefinition(value: unknown): value is AgentDefinition {
  return typeof value === 'object' && value !== null && AGENT_MARKER in value;
}

/** Marks an agent's definition so that a worker finds it among a module's exports. */
export function markAgentDefinition(
  definition: Omit<AgentDefinition, typeof AGENT_MARKER>,
): AgentDefinition {
  return { ...definition, [AGENT_MARKER]: true };
}
