import { hostname } from 'node:os';
import { type FaultPoint, parseEnvironment, parseFaultPoints } from '@baton/protocol';
import { z } from 'zod';

const environmentSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  BATON_KEY_PREFIX: z.string().min(1).default('baton'),
  BATON_AGENTS: z.string().min(1, 'BATON_AGENTS must name at least one agent module'),
  BATON_AGENT_VERSION: z.string().min(1).default('dev'),
  BATON_WORKER_ID: z.string().min(1).optional(),
  BATON_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(500),
  BATON_IDLE_TIMEOUT_SECONDS: z.coerce.number().nonnegative().default(30),
  BATON_LEASE_MS: z.coerce.number().int().min(500).default(2_000),
  BATON_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
  BATON_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  BATON_RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
  BATON_FAULT_INJECTION: z.string().optional(),
  BATON_DRAIN_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
  BATON_INPUT_POLL_MS: z.coerce.number().int().min(50).default(2_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

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
  /** How long a draining worker lets running turns finish before it cancels them. */
  drainTimeoutMs: number;
  /** Safety re-read of a held chat's input when no wake-up came. */
  inputPollIntervalMs: number;
  reconcileIntervalMs: number;
  /** How long a chat may sit queued before the reconciler makes sure it has a job. */
  reconcileGraceMs: number;
  /** Crash points armed for chaos tests (never in production). */
  faultPoints: FaultPoint[];
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
};

/** Parses the worker's environment once; nothing else reads `process.env`. */
export function loadWorkerConfig(environment: NodeJS.ProcessEnv): WorkerConfig {
  const env = parseEnvironment(environmentSchema, environment, 'worker');
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
    inputPollIntervalMs: env.BATON_INPUT_POLL_MS,
    reconcileIntervalMs: env.BATON_RECONCILE_INTERVAL_MS,
    reconcileGraceMs: env.BATON_RECONCILE_GRACE_MS,
    faultPoints: parseFaultPoints(env.BATON_FAULT_INJECTION),
    logLevel: env.LOG_LEVEL,
  });
}
