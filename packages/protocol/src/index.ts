export { agentIdSchema, type ChatId, chatIdSchema } from './chat-id.ts';
export {
  BatonError,
  ERROR_CODES,
  type ErrorCode,
  LeaseLostError,
  ReplicationTimeoutError,
} from './errors.ts';
export {
  createFaultInjector,
  type FaultAction,
  FaultInjectedError,
  type FaultInjector,
  NO_FAULTS,
  parseFaultPoints,
} from './fault-injection.ts';
export {
  type InputEntry,
  type InputRecord,
  inputRecordSchema,
  type MessageInputRecord,
  messageInputRecordSchema,
  type StopInputRecord,
} from './input-record.ts';
export { RUN_JOB_NAME, type RunJobData, runJobDataSchema, runJobId, runQueueName } from './job.ts';
export {
  type ControlRecord,
  controlRecordSchema,
  type OutputEntry,
  type SessionClosedRecord,
  type TurnCompleteRecord,
  type TurnRetryRecord,
  type TurnStartRecord,
  type TurnStatus,
  turnStatusSchema,
} from './output-record.ts';
export {
  type ProcessSetting,
  parseEnvironment,
  SHARED_PROCESS_SETTINGS,
} from './parse-environment.ts';
export {
  EMPTY_USAGE,
  type SessionRecord,
  type SessionStatus,
  sessionStatusSchema,
  type Usage,
  usageSchema,
} from './session.ts';
export {
  type ChatTrigger,
  chatTriggerSchema,
  uiMessageSchema,
  type WireUIMessage,
} from './ui-message.ts';
export { upsertMessage } from './upsert-message.ts';
export {
  type AgentInfo,
  type ChatRequestBody,
  type CreateSessionBody,
  type CreateSessionResponse,
  chatRequestBodySchema,
  clientDataOf,
  closeSessionBodySchema,
  createSessionBodySchema,
} from './wire.ts';
export { type WorkerRegistration, workerRegistrationSchema } from './worker-registration.ts';
