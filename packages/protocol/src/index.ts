export { agentIdSchema, type ChatId, chatIdSchema } from './chat-id.ts';
export {
  BatonError,
  ERROR_CODES,
  type ErrorCode,
  LeaseLostError,
} from './errors.ts';
export {
  createFaultInjector,
  FAULT_POINTS,
  type FaultInjector,
  type FaultPoint,
  NO_FAULTS,
  parseFaultPoints,
} from './fault-points.ts';
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
  type TurnCompleteRecord,
  type TurnRetryRecord,
  type TurnStartRecord,
  type TurnStatus,
  turnStatusSchema,
} from './output-record.ts';
export { parseEnvironment } from './parse-environment.ts';
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
  createSessionBodySchema,
} from './wire.ts';
