import { createFaultInjector } from '@baton/protocol';
import { createRedisClient } from '@baton/redis';
import { RedisSessionStore, WakeSubscriber } from '@baton/session-store';
import { pino } from 'pino';
import { loadWorkerConfig } from './config.ts';
import { startHealthServer } from './health-server.ts';
import { loadAgents } from './load-agents.ts';
import { recordLoadedFiles } from './loaded-files.ts';
import { WorkerHost } from './worker-host.ts';

/**
 * The worker process: reads its settings from `environment`, loads the agent modules (paths
 * relative to the working directory), runs chats, and drains on SIGTERM or SIGINT (running turns
 * finish within the drain timeout, then every chat is released). `baton worker` and `main.ts` call
 * it; it owns the process's signal handlers and exit.
 *
 * @example
 * ```ts
 * await startWorkerProcess(process.env);
 * ```
 */
export async function startWorkerProcess(environment: NodeJS.ProcessEnv): Promise<void> {
  const config = loadWorkerConfig(environment);
  const logger = pino({
    level: config.logLevel,
    base: { service: 'baton-worker', workerId: config.workerId },
    redact: ['*.authorization', '*.token', '*.messages', '*.message.parts'],
  });

  const loaded = config.shouldReportAgentFiles ? recordLoadedFiles() : undefined;
  const agents = await loadAgents(config.agentModules, process.cwd());
  if (loaded) logger.info({ files: loaded.files() }, 'agent files loaded');
  const commands = createRedisClient({
    url: config.redisUrl,
    name: 'baton-worker',
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  // No command timeout on the next two connections. BullMQ duplicates its connection, options
  // included, for `BZPOPMIN`, which blocks for seconds by design (a timeout would fail every idle
  // fetch), and it guards that command with a watchdog of its own; its other commands (lock
  // extensions, job moves) may hang in a partition, harmlessly: the chat's lease, not BullMQ's lock,
  // decides who may run a chat. The subscriber's wake-ups are hints that the input poll backs up.
  const subscriber = new WakeSubscriber(
    createRedisClient({
      url: config.redisUrl,
      name: 'baton-worker-wake',
      maxRetriesPerRequest: null,
    }),
  );
  const queueConnection = createRedisClient({
    url: config.redisUrl,
    name: 'baton-worker-queue',
    maxRetriesPerRequest: null,
  });
  const store = new RedisSessionStore({
    redis: commands,
    prefix: config.keyPrefix,
    idleRetentionMs: config.idleRetentionMs,
    minReplicas: config.redisMinReplicas,
    replicaTimeoutMs: config.redisReplicaTimeoutMs,
  });
  const faults = createFaultInjector(config.faultPoints, (point) => {
    logger.warn({ point }, 'fault injection: crashing');
    process.kill(process.pid, 'SIGKILL');
  });
  const host = new WorkerHost({
    config,
    agents,
    store,
    subscriber,
    queueConnection,
    logger,
    faults,
  });

  const health =
    config.health === undefined
      ? undefined
      : await startHealthServer({
          ...config.health,
          state: () => host.state,
          ping: () => store.ping(),
        });

  let isShuttingDown = false;
  async function shutdown(signal: string): Promise<void> {
    if (isShuttingDown) return;
    isShuttingDown = true;
    logger.info({ signal }, 'shutting down');
    try {
      await host.drain();
    } finally {
      health?.close();
      subscriber.close();
      commands.disconnect();
      queueConnection.disconnect();
      process.exit(0);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await host.start();
}
