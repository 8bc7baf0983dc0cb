import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisClient } from '@baton/redis';
import getPort from 'get-port';
import { AgentFiles } from './agent-files.ts';
import { startAgentReload } from './agent-reload.ts';
import type { AgentWatcher } from './agent-watcher.ts';
import { buildPlayground, isPlaygroundStale } from './build-playground.ts';
import { ChatHolders } from './chat-holders.ts';
import { type CliConfig, CliConfigError, DEV_SETTINGS, loadCliConfig } from './cli-config.ts';
import { type CliPaths, cliPaths } from './cli-paths.ts';
import { isPortFree } from './is-port-free.ts';
import { createLogLineFormatter, LOG_LEVELS, type LogLevel } from './log-line.ts';
import { type ManagedProcess, ProcessGroup } from './process-group.ts';
import { findExecutable, REDIS_PROCESS_NAME, startRedis } from './redis-launcher.ts';
import { ServiceSupervisor } from './service-supervisor.ts';
import { withFlags } from './setting-options.ts';
import {
  describeExit,
  displayPath,
  hasColors,
  printBanner,
  printRecentLines,
  processLabel,
  say,
  sayError,
} from './terminal.ts';

/** How long a process has between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 10_000;
/**
 * The grace once Redis died: a worker cannot hand its chats over without it, and its shutdown
 * would only wait on Redis commands that time out (measured in the e2e test: the stop took the
 * full 10 s grace).
 */
const STOP_GRACE_WITHOUT_REDIS_MS = 2_000;
/**
 * A draining worker lets running turns finish for this long, then cancels them (default 30 s):
 * inside STOP_GRACE_MS, so a turn ends cleanly and its chat is released before any SIGKILL.
 */
const WORKER_DRAIN_TIMEOUT_MS = 8_000;
/**
 * A second Ctrl-C kills everything at once, but only this long after the first: under `pnpm start`
 * one Ctrl-C arrives twice, from the terminal and forwarded by pnpm, a few milliseconds apart.
 */
const REPEATED_SIGNAL_MS = 1_000;
const READY_TIMEOUT_MS = 60_000;
const HEALTH_POLL_MS = 100;
const HEALTH_REQUEST_TIMEOUT_MS = 1_000;
/**
 * The launcher's own Redis commands (the chats a dead worker held, who took them over) fail after
 * this rather than hang: a dead Redis stops everything anyway, and the report must not wait on it.
 */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** Output lines shown of a process that died or never got ready. */
const REPORT_LINE_COUNT = 20;
/** The worker's ready line; logged at `info`, which is why children never log above `info`. */
const WORKER_READY_PATTERN = /"msg":"worker started"/;
/** Bind addresses that mean "this machine": the banner then says `localhost`. */
const LOCAL_HOSTS = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/**
 * Why `baton dev` stops: Ctrl-C or SIGTERM (exit 0), Redis or a process that died before the
 * system was ready, or a failed start (1). A gateway or worker that dies later is restarted.
 */
type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'crash'; process: ManagedProcess }
  | { kind: 'error'; error: unknown };

type RedisPlan = { url: string } | { binary: string };

type RunningSystem = { url: string; secret: string; redisUrl: string; isRedisStarted: boolean };

/** Services that were not ready in time, with their output for the report. */
class NotReadyError extends Error {
  override name = 'NotReadyError';
  readonly processes: readonly ManagedProcess[];

  constructor(processes: readonly ManagedProcess[]) {
    const names = processes.map((managed) => managed.name).join(', ');
    super(`${names} not ready within ${READY_TIMEOUT_MS / 1000} s`);
    this.processes = processes;
  }
}

/**
 * `baton dev`: Redis (unless `REDIS_URL` names one), the playground build (when stale), one gateway
 * and `BATON_WORKERS` workers, as child processes of this one. Once they are ready, a gateway or
 * worker that dies is restarted ({@link ServiceSupervisor}) while the rest keep serving. Resolves
 * with the exit code once everything has stopped: 0 after SIGINT or SIGTERM, 1 when Redis died, a
 * child died during the start, or the start failed.
 *
 * @example
 * ```ts
 * process.exit(await runDevCommand(process.env));
 * ```
 */
export async function runDevCommand(environment: NodeJS.ProcessEnv): Promise<number> {
  let config: CliConfig;
  try {
    config = loadCliConfig(environment);
  } catch (error) {
    sayError(withFlags(messageOf(error), DEV_SETTINGS));
    return 1;
  }
  const paths = cliPaths();
  const group = new ProcessGroup({
    write: (text) => process.stdout.write(text),
    label: processLabel,
  });
  const stopping = new AbortController();
  const signalled = Promise.withResolvers<StopReason>();
  let firstSignalAtMs: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAtMs === undefined) {
      firstSignalAtMs = Date.now();
      stopping.abort();
      signalled.resolve({ kind: 'signal', signal });
    } else if (Date.now() - firstSignalAtMs >= REPEATED_SIGNAL_MS) {
      say('stopping now: killing every process');
      group.killAllNow();
    }
  };
  // The last resort if the launcher itself dies of a bug: its children must not outlive it.
  const onExit = () => group.killAllNow();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  // Until the system is ready, a death is a failed start (a crash loop would hide a broken
  // setting); after that the supervisor restarts the gateway and workers. Redis always stops all.
  const crashed = Promise.withResolvers<StopReason>();
  let supervisor: ServiceSupervisor | undefined;
  let supervisorRedis: ReturnType<typeof createRedisClient> | undefined;
  let watching: Promise<AgentWatcher | undefined> | undefined;
  // The files the workers' agents loaded (each worker reports them as it starts): what a reload
  // follows, imports outside the agents' directory included.
  const agentFiles = new AgentFiles();
  group.onLine((_managed, line) => {
    const files = agentFiles.readReport(line);
    if (files !== undefined) void watching?.then((watcher) => watcher?.setFiles(files));
  });
  group.onUnexpectedExit((managed) => {
    if (supervisor !== undefined && managed.name !== REDIS_PROCESS_NAME) {
      void supervisor.supervise(managed);
    } else {
      crashed.resolve({ kind: 'crash', process: managed });
    }
  });
  try {
    const started = startSystem(config, paths, group, environment, stopping.signal).then(
      (running) => {
        if (!stopping.signal.aborted) {
          supervisorRedis = createRedisClient({
            url: running.redisUrl,
            name: 'baton-dev',
            maxRetriesPerRequest: 1,
            commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
          });
          // Connection errors show as failed commands; a dead Redis is reported as a crash.
          supervisorRedis.on('error', () => {});
          supervisor = new ServiceSupervisor({
            group,
            holders: new ChatHolders({
              redis: supervisorRedis,
              ...(environment.BATON_KEY_PREFIX ? { prefix: environment.BATON_KEY_PREFIX } : {}),
            }),
            signal: stopping.signal,
            say,
            sayError,
            waitUntilReady: (managed, readySignal) =>
              managed.name === 'gateway'
                ? waitForHealth(managed, healthUrl(config), readySignal)
                : managed.waitForLine(WORKER_READY_PATTERN, readySignal),
            readyTimeoutMs: READY_TIMEOUT_MS,
          });
          if (config.shouldWatch && config.agentModules !== undefined) {
            watching = startAgentReload({
              agentModules: config.agentModules,
              group,
              agentFiles,
              signal: stopping.signal,
              waitUntilReady: (managed, readySignal) =>
                managed.waitForLine(WORKER_READY_PATTERN, readySignal),
              graceMs: STOP_GRACE_MS,
              readyTimeoutMs: READY_TIMEOUT_MS,
              showRecentLines: (managed) => printRecentLines(managed, REPORT_LINE_COUNT),
            });
          }
          printBanner({
            ...running,
            workerCount: config.workerCount,
            agents: describeAgents(config, environment),
            logLevel: config.logLevel,
            isSecretGenerated: config.secret === undefined,
          });
        }
        // Runs until a signal or a crash ends the race below.
        return new Promise<StopReason>(() => {});
      },
      (error: unknown): StopReason => ({ kind: 'error', error }),
    );
    const reason = await Promise.race([signalled.promise, crashed.promise, started]);
    stopping.abort();
    await report(reason, group);
    if (group.processes.length > 0) {
      const isRedisDead = reason.kind === 'crash' && reason.process.name === REDIS_PROCESS_NAME;
      await stopAll(group, isRedisDead ? STOP_GRACE_WITHOUT_REDIS_MS : STOP_GRACE_MS);
      say('stopped');
    }
    return reason.kind === 'signal' ? 0 : 1;
  } finally {
    await (await watching)?.close();
    supervisorRedis?.disconnect();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

async function startSystem(
  config: CliConfig,
  paths: CliPaths,
  group: ProcessGroup,
  environment: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<RunningSystem> {
  const redis = planRedis(config, environment);
  if (!(await isPortFree(config.port, config.host))) {
    throw new CliConfigError(
      `port ${config.port} is already in use on ${config.host}; set PORT to another one`,
    );
  }
  // The services do not read the build until a browser asks, so both start at once.
  const [, running] = await Promise.all([
    buildIfNeeded(config, paths, group, signal),
    startServices(config, paths, group, environment, redis, signal),
  ]);
  return running;
}

async function buildIfNeeded(
  config: CliConfig,
  paths: CliPaths,
  group: ProcessGroup,
  signal: AbortSignal,
): Promise<void> {
  const build = paths.playgroundBuild;
  if (build === undefined || config.shouldSkipBuild) {
    if (!existsSync(join(paths.playgroundOutput, 'index.html'))) {
      say(`the playground was never built (${paths.playgroundOutput}): / will answer 404`);
    }
    return;
  }
  if (!isPlaygroundStale(build, paths.playgroundOutput)) return;
  say('building the playground (its build is missing or older than its sources)');
  const startedAtMs = Date.now();
  await buildPlayground(group, build, paths.playgroundOutput, signal);
  say(`playground built in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
}

async function startServices(
  config: CliConfig,
  paths: CliPaths,
  group: ProcessGroup,
  environment: NodeJS.ProcessEnv,
  redis: RedisPlan,
  signal: AbortSignal,
): Promise<RunningSystem> {
  const redisUrl = await connectRedis(redis, config, group, signal);
  signal.throwIfAborted();

  const secret = config.secret ?? randomBytes(24).toString('base64url');
  const childEnvironment: NodeJS.ProcessEnv = {
    ...environment,
    REDIS_URL: redisUrl,
    LOG_LEVEL: childLogLevel(config.logLevel),
  };
  // Per-process settings of a deployment: on one machine, every worker would want the same port.
  delete childEnvironment.BATON_HEALTH_PORT;
  const display = createLogLineFormatter({
    minimumLevel: config.logLevel,
    isColored: hasColors(process.stdout),
  });
  const gateway = group.spawn({
    name: 'gateway',
    command: process.execPath,
    args: [paths.gatewayEntry],
    cwd: process.cwd(),
    env: {
      ...childEnvironment,
      PORT: String(config.port),
      HOST: config.host,
      BATON_SECRET: secret,
      BATON_PLAYGROUND: '1',
      BATON_STATIC_DIR: paths.playgroundOutput,
    },
    display,
  });
  const workers = Array.from({ length: config.workerCount }, (_, index) =>
    group.spawn({
      name: `worker-${index + 1}`,
      command: process.execPath,
      args: [paths.workerEntry],
      cwd: process.cwd(),
      env: {
        ...childEnvironment,
        BATON_AGENTS: (config.agentModules ?? [paths.demoAgents]).join(','),
        BATON_WORKER_ID: `worker-${index + 1}`,
        ...(config.shouldWatch ? { BATON_REPORT_AGENT_FILES: '1' } : {}),
        BATON_DRAIN_TIMEOUT_MS:
          environment.BATON_DRAIN_TIMEOUT_MS ?? String(WORKER_DRAIN_TIMEOUT_MS),
      },
      display,
    }),
  );

  const readySignal = AbortSignal.any([signal, AbortSignal.timeout(READY_TIMEOUT_MS)]);
  const pending = new Set<ManagedProcess>([gateway, ...workers]);
  const whenReady = async (managed: ManagedProcess, ready: Promise<void>) => {
    await ready;
    pending.delete(managed);
  };
  try {
    await Promise.all([
      whenReady(gateway, waitForHealth(gateway, healthUrl(config), readySignal)),
      ...workers.map((worker) =>
        whenReady(worker, worker.waitForLine(WORKER_READY_PATTERN, readySignal)),
      ),
    ]);
  } catch (error) {
    if (readySignal.aborted && !signal.aborted) throw new NotReadyError([...pending]);
    throw error;
  }
  return {
    url: `http://${LOCAL_HOSTS.has(config.host) ? 'localhost' : urlHost(config.host)}:${config.port}`,
    secret,
    redisUrl,
    isRedisStarted: 'binary' in redis,
  };
}

/** The Redis to use: `REDIS_URL`'s, or a `redis-server` to start (checked before anything runs). */
function planRedis(config: CliConfig, environment: NodeJS.ProcessEnv): RedisPlan {
  if (config.redisUrl !== undefined) return { url: config.redisUrl };
  const binary = findExecutable('redis-server', environment.PATH);
  if (binary === undefined) {
    throw new CliConfigError(
      'redis-server is not on PATH. Install it (apt-get install redis-server) or set REDIS_URL ' +
        'to a running Redis.',
    );
  }
  return { binary };
}

async function connectRedis(
  redis: RedisPlan,
  config: CliConfig,
  group: ProcessGroup,
  signal: AbortSignal,
): Promise<string> {
  if ('url' in redis) return redis.url;
  const started = await startRedis(group, {
    binary: redis.binary,
    port: config.redisPort ?? (await getPort()),
    // Nothing is written with persistence off: a directory of the system's, not the project's.
    directory: join(tmpdir(), 'baton-dev-redis'),
    signal,
  });
  return started.url;
}

/** Children log at `info` at least: the worker's ready line is an `info` line. */
function childLogLevel(level: LogLevel): LogLevel {
  return LOG_LEVELS[level] < LOG_LEVELS.info ? level : 'info';
}

async function waitForHealth(
  gateway: ManagedProcess,
  url: string,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    if (gateway.hasExited) throw new Error('gateway exited before it was ready');
    try {
      const response = await fetch(url, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS)]),
      });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(HEALTH_POLL_MS, undefined, { signal });
  }
}

function healthUrl(config: CliConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${urlHost(host)}:${config.port}/healthz`;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function report(reason: StopReason, group: ProcessGroup): Promise<void> {
  switch (reason.kind) {
    case 'signal':
      say(`stopping (${reason.signal})`);
      return;
    case 'crash':
      await reportCrash(reason.process);
      return;
    case 'error': {
      // A child that died during the start is the cause; the error is only its symptom.
      const crashed = group.processes.find(
        (managed) => managed.hasExited && !managed.isStopping && !managed.isTask,
      );
      if (crashed !== undefined) {
        await reportCrash(crashed);
        return;
      }
      sayError(messageOf(reason.error));
      if (reason.error instanceof NotReadyError) {
        for (const managed of reason.error.processes) {
          await printRecentLines(managed, REPORT_LINE_COUNT);
        }
      }
      if (group.processes.length > 0) sayError('stopping');
    }
  }
}

async function reportCrash(crashed: ManagedProcess): Promise<void> {
  const exit = describeExit(await crashed.exited);
  if (crashed.name === REDIS_PROCESS_NAME) {
    sayError(`${crashed.name} died (${exit}); nothing works without it: stopping everything`);
  } else {
    sayError(`${crashed.name} exited unexpectedly (${exit})`);
  }
  await printRecentLines(crashed, REPORT_LINE_COUNT);
  sayError('stopping everything');
}

/** Gateway, workers and any running build first; then the Redis they need while draining. */
async function stopAll(group: ProcessGroup, graceMs: number): Promise<void> {
  const isRedis = (managed: ManagedProcess) => managed.name === REDIS_PROCESS_NAME;
  await group.stop(
    group.processes.filter((managed) => !isRedis(managed)),
    graceMs,
  );
  await group.stop(group.processes.filter(isRedis), graceMs);
}

function describeAgents(config: CliConfig, environment: NodeJS.ProcessEnv): string {
  if (config.agentModules === undefined) {
    return `demo agents, BATON_MODEL=${environment.BATON_MODEL ?? 'demo'}`;
  }
  const modules = config.agentModules.map((module) => displayPath(module)).join(', ');
  return config.shouldWatch ? `${modules}; restarted when they change` : modules;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
