import type { Server } from 'node:http';
import { createFaultInjector } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { RedisSessionStore, RunQueue, WakeSubscriber } from '@baton/session-store';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { createApp } from './app.ts';
import { ChatTokens } from './chat-tokens.ts';
import { loadGatewayConfig } from './config.ts';

/**
 * The gateway process: reads its settings from `environment` and serves HTTP (resolves once it
 * listens); SIGTERM or SIGINT stops it (open SSE responses are ended, clients resume elsewhere).
 * `baton gateway` and `main.ts` call it; it owns the process's signal handlers and exit.
 *
 * @example
 * ```ts
 * await startGatewayProcess(process.env);
 * ```
 */
export async function startGatewayProcess(environment: NodeJS.ProcessEnv): Promise<void> {
  const config = loadGatewayConfig(environment);
  const logger = pino({
    level: config.logLevel,
    base: { service: 'baton-gateway' },
    redact: ['*.authorization', '*.token', '*.messages'],
  });

  const commands = createRedisClient({
    url: config.redisUrl,
    name: 'baton-gateway',
    maxRetriesPerRequest: 2,
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  // No command timeout on the subscriber (idle by design; wake-ups are hints that the output poll
  // backs up) nor on BullMQ's connection (duplicated, options included, for blocking commands).
  const subscriber = new WakeSubscriber(
    createRedisClient({
      url: config.redisUrl,
      name: 'baton-gateway-wake',
      maxRetriesPerRequest: null,
    }),
  );
  const queueConnection = createRedisClient({
    url: config.redisUrl,
    name: 'baton-gateway-queue',
    maxRetriesPerRequest: null,
  });
  const store = new RedisSessionStore({
    redis: commands,
    prefix: config.keyPrefix,
    idleRetentionMs: config.idleRetentionMs,
    closedRetentionMs: config.closedRetentionMs,
    minReplicas: config.redisMinReplicas,
    replicaTimeoutMs: config.redisReplicaTimeoutMs,
  });
  const runQueue = new RunQueue({
    connection: queueConnection,
    prefix: store.globalKeys.queuePrefix,
  });
  const tokens = new ChatTokens({ secret: config.secret, ttlSeconds: config.tokenTtlSeconds });
  const faults = createFaultInjector(config.faultPoints, (point) => {
    logger.warn({ point }, 'fault injection: crashing');
    process.kill(process.pid, 'SIGKILL');
  });
  const app = createApp({ config, store, subscriber, runQueue, tokens, logger, faults });

  if (config.isPlaygroundEnabled) {
    logger.warn(
      {},
      'playground sessions are enabled: anyone reaching this gateway can start chats',
    );
  }

  const listening = Promise.withResolvers<void>();
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info({ port: info.port, host: config.host }, 'gateway listening');
    listening.resolve();
  }) as Server;
  server.once('error', listening.reject);

  let isShuttingDown = false;
  function shutdown(signal: string): void {
    if (isShuttingDown) return;
    isShuttingDown = true;
    logger.info({ signal }, 'shutting down');
    // Open SSE responses keep `close` pending (tech-facts section 8): end them; clients resume
    // elsewhere, and no turn is affected by a closed stream.
    server.close();
    server.closeAllConnections();
    void runQueue
      .close()
      .catch(() => {})
      .finally(() => {
        subscriber.close();
        commands.disconnect();
        queueConnection.disconnect();
        process.exit(0);
      });
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await listening.promise;
}
