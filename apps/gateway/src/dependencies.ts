import type { FaultInjector } from '@baton/protocol';
import type { RedisSessionStore, RunQueue, WakeSubscriber } from '@baton/session-store';
import type { ChatTokens } from './chat-tokens.ts';
import type { GatewayConfig } from './config.ts';

/** The logging interface of the gateway: a subset of pino's. */
export type GatewayLogger = {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
};

/** Everything `createApp` needs; `main.ts` builds it, tests build their own. */
export type GatewayDependencies = {
  config: GatewayConfig;
  store: RedisSessionStore;
  subscriber: WakeSubscriber;
  runQueue: RunQueue;
  tokens: ChatTokens;
  logger: GatewayLogger;
  faults: FaultInjector;
};
