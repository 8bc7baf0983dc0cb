export type { CreateSessionResponse } from '@baton/protocol';
export { BatonApiError, type BatonApiErrorInit } from './baton-api-error.ts';
export {
  type BatonChatApiOptions,
  type CreatePlaygroundSessionOptions,
  createPlaygroundSession,
  fetchMessages,
  stopGeneration,
} from './baton-chat-api.ts';
export {
  type BatonTransportOptions,
  createBatonTransport,
  DEFAULT_CHAT_API,
} from './create-baton-transport.ts';
export { type CreateSessionOptions, createSession } from './create-session.ts';
export type { TokenSource } from './token-source.ts';
