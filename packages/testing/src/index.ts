export {
  type BatonStack,
  type BatonStackOptions,
  type ChatAccess,
  DEMO_AGENTS,
  GATEWAY_ENTRY,
  type GatewayProcess,
  REPOSITORY_ROOT,
  startBatonStack,
  WORKER_ENTRY,
} from './baton-stack.ts';
export { freePort } from './free-port.ts';
export { createGatewayChat, type GatewayChatOptions, waitUntil } from './gateway-chat.ts';
export { NodeChat, textOf } from './node-chat.ts';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
export {
  type ExitStatus,
  type ServiceProcess,
  type ServiceProcessOptions,
  startServiceProcess,
} from './service-process.ts';
export {
  parseSseChunks,
  readSseEvents,
  type SseChunk,
  type SseEvent,
  sseText,
} from './sse-reader.ts';
export { startTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy.ts';
