import { hostname } from 'node:os';
import {
  type FaultAction,
  type ProcessSetting,
  parseEnvironment,
  parseFaultPoints,
  SHARED_PROCESS_SETTINGS,
} from '@baton/protocol';
import { z } from 'zod';

/**
 * The worker's fault points (tests only): right after a claim, before the run reads the chat;
 * between a turn's last chunk and its checkpoint; right after a turn's completion was written, as
 * if its reply were lost (`throw-once`: the write happened, the worker does not know it).
 */
export const WORKER_FAULT_POINTS = [
  'worker-after-claim',
  'worker-before-checkpoint',
  'worker-after-complete-turn',
] as const;
export type WorkerFaultPoint = (typeof WORKER_FAULT_POINTS)[number];

export const workerEnvironmentSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  BATON_KEY_PREFIX: z.string().min(1).default('baton'),
  BATON_AGENTS: z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : undefined) })
    .min(1, 'must name at least one agent module'),
  BATON_AGENT_VERSION: z.string().min(1).default('dev'),
  BATON_WORKER_ID: z.string().min(1).optional(),
  BATON_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(500),
  BATON_IDLE_TIMEOUT_SECONDS: z.coerce.number().nonnegative().default(30),
  BATON_LEASE_MS: z.coerce.number().int().min(500).default(2_000),
  BATON_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
  BATON_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  BATON_RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
  BATON_FAULT_INJECTION: z.string().optional(),
  BATON_MAX_RUN_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  BATON_RUN_RETRY_DELAY_MS: z.coerce.number().int().nonnegative().default(2_000),
  BATON_DRAIN_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
  BATON_INPUT_POLL_MS: z.coerce.number().int().min(50).default(2_000),
  BATON_IDLE_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(30 * 24 * 3600),
  BATON_REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  BATON_REDIS_MIN_REPLICAS: z.coerce.number().int().min(0).default(0),
  BATON_REDIS_REPLICA_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  BATON_REPORT_AGENT_FILES: z
    .enum(['0', '1', 'true', 'false', ''])
    .default('0')
    .transform((value) => value === '1' || value === 'true'),
  BATON_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  BATON_HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * The worker's settings as `baton worker --help` and the README list them; every key of the
 * environment schema but the test-only `BATON_FAULT_INJECTION` (config.test.ts checks).
 */
export const WORKER_SETTINGS: readonly ProcessSetting[] = [
  {
    env: 'BATON_AGENTS',
    flag: 'agents',
    value: '<modules...>',
    description: 'agent modules: paths or package names, several or comma-separated (required)',
  },
  SHARED_PROCESS_SETTINGS.redisUrl,
  SHARED_PROCESS_SETTINGS.keyPrefix,
  {
    env: 'BATON_AGENT_VERSION',
    flag: 'agent-version',
    value: '<version>',
    description: 'the version agents without their own are registered with (default dev)',
  },
  {
    env: 'BATON_WORKER_ID',
    flag: 'worker-id',
    value: '<id>',
    description: 'this worker in logs and leases (default <hostname>-<pid>)',
  },
  {
    env: 'BATON_WORKER_CONCURRENCY',
    flag: 'concurrency',
    value: '<n>',
    description: 'chats held at once, running or waiting warm (default 500)',
  },
  {
    env: 'BATON_IDLE_TIMEOUT_SECONDS',
    flag: 'idle-timeout-seconds',
    value: '<s>',
    description: 'how long a chat waits warm before it suspends (default 30)',
  },
  {
    env: 'BATON_LEASE_MS',
    flag: 'lease-ms',
    value: '<ms>',
    description:
      "a chat's lease: a dead worker's chats move on about this long after (default 2000)",
  },
  {
    env: 'BATON_STALLED_INTERVAL_MS',
    flag: 'stalled-interval-ms',
    value: '<ms>',
    description: 'how often stalled runs are looked for (default 1000)',
  },
  {
    env: 'BATON_RECONCILE_INTERVAL_MS',
    flag: 'reconcile-interval-ms',
    value: '<ms>',
    description: 'how often queued chats are checked for a job (default 5000)',
  },
  {
    env: 'BATON_RECONCILE_GRACE_MS',
    flag: 'reconcile-grace-ms',
    value: '<ms>',
    description: 'how long a chat may sit queued before that check (default 5000)',
  },
  {
    env: 'BATON_MAX_RUN_ATTEMPTS',
    flag: 'max-run-attempts',
    value: '<n>',
    description: 'runs that may take on a turn before the worker ends it with an error (default 5)',
  },
  {
    env: 'BATON_RUN_RETRY_DELAY_MS',
    flag: 'run-retry-delay-ms',
    value: '<ms>',
    description: 'the first pause before a failed run is retried, doubling (default 2000)',
  },
  {
    env: 'BATON_DRAIN_TIMEOUT_MS',
    flag: 'drain-timeout-ms',
    value: '<ms>',
    description:
      'on SIGTERM, how long running turns may finish before they are cancelled (default 30000)',
  },
  {
    env: 'BATON_INPUT_POLL_MS',
    flag: 'input-poll-ms',
    value: '<ms>',
    description: "the safety re-read of a held chat's input without a wake-up (default 2000)",
  },
  {
    env: 'BATON_IDLE_RETENTION_SECONDS',
    flag: 'idle-retention-seconds',
    value: '<s>',
    description: 'how long a suspended chat keeps its keys, 0 forever (default 30 days)',
  },
  SHARED_PROCESS_SETTINGS.redisCommandTimeout,
  {
    env: 'BATON_REDIS_MIN_REPLICAS',
    flag: 'redis-min-replicas',
    value: '<n>',
    description: 'replicas that must hold a claim or a turn before the worker goes on (default 0)',
  },
  {
    env: 'BATON_REDIS_REPLICA_TIMEOUT_MS',
    flag: 'redis-replica-timeout-ms',
    value: '<ms>',
    description: 'how long to wait for those replicas (default 500)',
  },
  {
    env: 'BATON_REPORT_AGENT_FILES',
    flag: 'report-agent-files',
    description: 'log the project files the agent modules loaded (baton dev watches them)',
  },
  {
    env: 'BATON_HEALTH_PORT',
    flag: 'health-port',
    value: '<port>',
    description: 'serve GET /healthz and /readyz on this port, for probes (default: none)',
  },
  {
    env: 'BATON_HEALTH_HOST',
    flag: 'health-host',
    value: '<address>',
    description: 'the address of those probes (default 0.0.0.0)',
  },
  SHARED_PROCESS_SETTINGS.logLevel,
];

export type WorkerConfig = {
  redisUrl: string;
  keyPrefix: string;
  /** Module specifiers or paths of agent modules; every exported agent is hosted. */
  agentModules: string[];
  agentVersion: string;
  workerId: string;
  /** Chats one worker process holds at once (running or waiting warm). */
  concurrency: number;
  idleTimeoutInSeconds: number;
  /**
   * Lease duration; a dead holder's chat is taken over about this long (plus up to one stalled
   * check) after it died. 2 s: recovery within about 3 s, renewals every 667 ms.
   */
  leaseDurationMs: number;
  stalledIntervalMs: number;
  /**
   * Runs that may take on a chat's pending turn before the worker ends that turn with an error by
   * itself: the last resort when runs keep failing before the agent can end the turn (the agent's
   * own `recovery.maxAttempts`, 2 by default, acts first whenever the agent gets to run).
   */
  maxRunAttempts: number;
  /** Pause before a failed run is retried; it doubles with each attempt, up to 30 s. */
  runRetryDelayMs: number;
  /** How long a draining worker lets running turns finish before it cancels them. */
  drainTimeoutMs: number;
  /** Safety re-read of a held chat's input when no wake-up came. */
  inputPollIntervalMs: number;
  /** How long a suspended chat keeps its keys unless a message comes (0: forever). */
  idleRetentionMs: number;
  /**
   * A command on the worker's command connection that got no reply by then fails, and the silent
   * connection is replaced: a half-open socket otherwise hangs commands for minutes. Leases do not
   * wait for it: the lease keeper gives a lease up at its deadline whatever is in flight.
   */
  redisCommandTimeoutMs: number;
  /**
   * Replicas that must hold a claim (its epoch bump) or a turn completion before the worker goes
   * on (Redis `WAIT`); fewer within `redisReplicaTimeoutMs` fails the run, which hands the chat
   * back for a later retry. 0: the primary's word.
   */
  redisMinReplicas: number;
  redisReplicaTimeoutMs: number;
  reconcileIntervalMs: number;
  /** How long a chat may sit queued before the reconciler makes sure it has a job. */
  reconcileGraceMs: number;
  /** Log the files the agent modules loaded, for `baton dev`'s watcher. */
  shouldReportAgentFiles: boolean;
  /** Where `GET /healthz` and `/readyz` are served; `undefined`: nowhere. */
  health: { port: number; host: string } | undefined;
  /** Crash points armed for chaos tests (never in production). */
  faultPoints: ReadonlyMap<WorkerFaultPoint, FaultAction>;
  logLevel: z.infer<typeof workerEnvironmentSchema>['LOG_LEVEL'];
};

/** Parses the worker's environment once; nothing else reads `process.env`. */
export function loadWorkerConfig(environment: NodeJS.ProcessEnv): WorkerConfig {
  const env = parseEnvironment(workerEnvironmentSchema, environment, 'worker');
  // A WAIT holds up the commands queued behind it on the connection: they must still answer
  // within the command timeout, and a lease renewal in time (renewals go every third of a lease,
  // and the lease keeper gives up at 90 % of one after the last renewal that was sent).
  const problems: string[] = [];
  const isWaiting = env.BATON_REDIS_MIN_REPLICAS > 0;
  if (isWaiting && env.BATON_REDIS_REPLICA_TIMEOUT_MS * 2 > env.BATON_REDIS_COMMAND_TIMEOUT_MS) {
    problems.push(
      'BATON_REDIS_REPLICA_TIMEOUT_MS: must be at most half of BATON_REDIS_COMMAND_TIMEOUT_MS',
    );
  }
  if (isWaiting && env.BATON_REDIS_REPLICA_TIMEOUT_MS * 4 > env.BATON_LEASE_MS) {
    problems.push('BATON_REDIS_REPLICA_TIMEOUT_MS: must be at most a quarter of BATON_LEASE_MS');
  }
  if (problems.length > 0) {
    throw new Error(`invalid worker configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze({
    redisUrl: env.REDIS_URL,
    keyPrefix: env.BATON_KEY_PREFIX,
    agentModules: env.BATON_AGENTS.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    agentVersion: env.BATON_AGENT_VERSION,
    workerId: env.BATON_WORKER_ID ?? `${hostname()}-${process.pid}`,
    concurrency: env.BATON_WORKER_CONCURRENCY,
    idleTimeoutInSeconds: env.BATON_IDLE_TIMEOUT_SECONDS,
    leaseDurationMs: env.BATON_LEASE_MS,
    stalledIntervalMs: env.BATON_STALLED_INTERVAL_MS,
    drainTimeoutMs: env.BATON_DRAIN_TIMEOUT_MS,
    maxRunAttempts: env.BATON_MAX_RUN_ATTEMPTS,
    runRetryDelayMs: env.BATON_RUN_RETRY_DELAY_MS,
    inputPollIntervalMs: env.BATON_INPUT_POLL_MS,
    idleRetentionMs: env.BATON_IDLE_RETENTION_SECONDS * 1000,
    redisCommandTimeoutMs: env.BATON_REDIS_COMMAND_TIMEOUT_MS,
    redisMinReplicas: env.BATON_REDIS_MIN_REPLICAS,
    redisReplicaTimeoutMs: env.BATON_REDIS_REPLICA_TIMEOUT_MS,
    reconcileIntervalMs: env.BATON_RECONCILE_INTERVAL_MS,
    reconcileGraceMs: env.BATON_RECONCILE_GRACE_MS,
    shouldReportAgentFiles: env.BATON_REPORT_AGENT_FILES,
    health:
      env.BATON_HEALTH_PORT === undefined
        ? undefined
        : { port: env.BATON_HEALTH_PORT, host: env.BATON_HEALTH_HOST },
    faultPoints: parseFaultPoints(env.BATON_FAULT_INJECTION, WORKER_FAULT_POINTS),
    logLevel: env.LOG_LEVEL,
  });
}
