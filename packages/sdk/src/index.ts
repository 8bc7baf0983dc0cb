export type {
  AgentSession,
  SessionMessage,
  SessionState,
  TurnChannel,
  TurnEnd,
  TurnStart,
  WaitForMessageResult,
} from './agent-session.ts';
export { chat } from './chat.ts';
export {
  type AgentDefinition,
  type AgentRuntimeDefaults,
  chatAgent,
  isAgentDefinition,
} from './chat-agent.ts';
export type {
  ChatAgentOptions,
  ChatRunPayload,
  ChatRunResult,
  ChatStartEvent,
  ChatWriter,
  TurnCompleteEvent,
  TurnStartEvent,
} from './chat-agent-options.ts';
export { cleanupAbortedParts, INTERRUPTED_TOOL_ERROR_TEXT } from './cleanup-aborted-parts.ts';
export { type Logger, SILENT_LOGGER } from './logger.ts';
export { RecoveryExhaustedError } from './run-turn.ts';
export {
  ClientDataValidationError,
  type InferSchemaOutput,
  type StandardSchema,
} from './standard-schema.ts';
export {
  DEFAULT_RECOVERY_ATTEMPTS,
  type RecoveryDecision,
  type RecoveryEvent,
  type RecoveryOptions,
  type RecoveryPlan,
  type TurnRecovery,
} from './turn-recovery.ts';
export { addUsage, toUsage } from './usage.ts';
