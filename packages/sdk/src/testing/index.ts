export {
  type MemoryTranscriptStorage,
  memoryTranscriptStorage,
} from '../transcript/memory-transcript-storage.ts';
export { HarnessSession } from './harness-session.ts';
export { type HookCall, HookRecorder } from './hook-recorder.ts';
export { MemorySession, type RecordedTurn } from './memory-session.ts';
export { textOf, textsOf, userMessage } from './messages.ts';
export {
  type MockChatAgentHarness,
  type MockChatAgentOptions,
  type MockChatAgentTurn,
  mockChatAgent,
  type SendOptions,
} from './mock-chat-agent.ts';
export { type LogEntry, recordingLogger } from './recording-logger.ts';
export {
  type ModelScript,
  ScriptedModel,
  type ScriptedModelCall,
  type ScriptedModelOptions,
  type ScriptedModelPrompt,
  type ScriptedReply,
  type ScriptedResponse,
  type ScriptedToolCall,
  type ScriptedUsage,
  scriptedModel,
} from './scripted-model.ts';
export type { ToolApprovalResponse, ToolOutputResponse } from './tool-responses.ts';
