export {
  type AgentDefinition,
  type AgentRuntimeDefaults,
  isAgentDefinition,
  type RunEndReason,
} from './agent-definition.ts';
export type {
  AgentSession,
  Checkpoint,
  SessionMessage,
  SessionState,
  TurnChannel,
  TurnEnd,
  TurnStart,
  WaitForMessageOptions,
  WaitForMessageResult,
} from './agent-session.ts';
export { MAX_AGENT_STATE_BYTES } from './agent-state.ts';
export { chat } from './chat.ts';
export {
  type ActionEvent,
  ActionValidationError,
  type ChatActionOptions,
  type ChatTurnRequest,
} from './chat-action.ts';
export { chatAgent } from './chat-agent.ts';
export type {
  BeforeTurnCompleteEvent,
  ChatAgentHooks,
  ChatResumeEvent,
  ChatStartEvent,
  ChatSuspendEvent,
  ChatWriter,
  CommonEvent,
  HydrateMessagesEvent,
  PreloadEvent,
  PrepareMessagesEvent,
  ResolveToolsEvent,
  TurnCompleteEvent,
  TurnStartEvent,
  ValidateMessagesEvent,
} from './chat-agent-hooks.ts';
export {
  type ChatAgentOptions,
  type ChatRunPayload,
  type ChatRunResult,
  type ClientDataOf,
  DEFAULT_MAX_TURNS,
  DEFAULT_TURN_TIMEOUT,
  type TurnTrigger,
} from './chat-agent-options.ts';
export { type ChatBuilder, type WithClientDataOptions, withClientData } from './chat-builder.ts';
export { type ChatCloseOptions, MAX_CLOSE_REASON_LENGTH } from './chat-close.ts';
export { DEFER_TIMEOUT_MS, type DeferredWork } from './chat-defer.ts';
export type { HistoryToolCall, NewToolResult } from './chat-history.ts';
export type { ChatLocal, ChatLocalMethods } from './chat-local.ts';
export type { ChatStreamWriter } from './chat-response.ts';
export { cleanupAbortedParts, INTERRUPTED_TOOL_ERROR_TEXT } from './cleanup-aborted-parts.ts';
export type {
  MessageSubscription,
  WaitForMessageResult as ChatMessagesWaitResult,
  WaitWithIdleTimeoutOptions,
} from './custom-agent/chat-messages.ts';
export {
  type ChatSessionOptions,
  type ChatTurn,
  createSession,
  type TurnSource,
} from './custom-agent/chat-session.ts';
export type {
  ClientDataErrorReporting,
  ClientDataValidationErrorEvent,
  ClientDataValidationErrorHandler,
} from './custom-agent/client-data-validation.ts';
export { type CustomAgentOptions, customAgent } from './custom-agent/custom-agent.ts';
export {
  MessageAccumulator,
  type MessageAccumulatorOptions,
} from './custom-agent/message-accumulator.ts';
export type {
  CapturedResponse,
  PipeAndCaptureOptions,
  PipeSource,
} from './custom-agent/pipe.ts';
export type { SessionHandle, SessionWriteResult } from './custom-agent/session-handle.ts';
export type { ChatStopSignal } from './custom-agent/stop-signal.ts';
export type {
  ChatTaskMessagePayload,
  ChatTaskPreloadPayload,
  ChatTaskWirePayload,
} from './custom-agent/wire-payload.ts';
export { type Logger, SILENT_LOGGER } from './logger.ts';
export { RecoveryExhaustedError } from './run-turn.ts';
export {
  setIdleTimeoutInSeconds,
  setTurnTimeout,
  setTurnTimeoutInSeconds,
} from './runtime-settings.ts';
export {
  ClientDataValidationError,
  type InferSchemaOutput,
  type StandardSchema,
} from './standard-schema.ts';
export type {
  LoadContextEvent,
  LoadedTranscript,
  TranscriptChange,
  TranscriptChangeset,
  TranscriptCursors,
  TranscriptEntry,
  TranscriptSaveContext,
  TranscriptSaveReason,
  TranscriptScope,
  TranscriptStorage,
} from './transcript/transcript-storage.ts';
export {
  DEFAULT_RECOVERY_ATTEMPTS,
  type RecoveryDecision,
  type RecoveryEvent,
  type RecoveryOptions,
  type RecoveryPlan,
  type TurnRecovery,
} from './turn-recovery.ts';
export { addUsage, toUsage } from './usage.ts';
