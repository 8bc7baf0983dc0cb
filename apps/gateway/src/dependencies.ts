import type { FaultInjector } from '@baton/protocol';
import type { RedisSessionStore, RunQueue, WakeSubscriber } from '@baton/session-store';
import type { ChatTokens } from './chat-tokens.ts';
import type { GatewayConfig, GatewayFaultPoint } from './config.ts';
import type { StreamMetrics } from './stream-metrics.ts';

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
  faults: FaultInjector<GatewayFaultPoint>;
  /** Counters of the SSE responses, for a metrics endpoint; a private instance when absent. */
  metrics?: StreamMetrics;
};
