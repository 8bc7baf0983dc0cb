export type {
  AgentSession,
  SessionMessage,
  SessionState,
  TurnChannel,
  TurnEnd,
  WaitForMessageResult,
} from './agent-session.ts';
export { chat } from './chat.ts';
export {
  type AgentDefinition,
  type AgentRuntimeDefaults,
  type ChatAgentOptions,
  type ChatRunPayload,
  type ChatRunResult,
  type ChatStartEvent,
  type ChatWriter,
  chatAgent,
  isAgentDefinition,
  RecoveryExhaustedError,
  type TurnCompleteEvent,
  type TurnStartEvent,
} from './chat-agent.ts';
export { cleanupAbortedParts, INTERRUPTED_TOOL_ERROR_TEXT } from './cleanup-aborted-parts.ts';
export { type Logger, SILENT_LOGGER } from './logger.ts';
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
