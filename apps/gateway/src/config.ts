import {
  type FaultAction,
  type ProcessSetting,
  parseEnvironment,
  parseFaultPoints,
  SHARED_PROCESS_SETTINGS,
} from '@baton/protocol';
import { z } from 'zod';

/** The gateway's fault points (tests only): after an append, before its enqueue. */
export const GATEWAY_FAULT_POINTS = ['gateway-after-append'] as const;
export type GatewayFaultPoint = (typeof GATEWAY_FAULT_POINTS)[number];

/**
 * The old whole-body limit, now on the new message alone: a client that sends one message per
 * request (`@baton/client`, a slim `prepareSendMessagesRequest`) sees the same limit as before.
 */
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The stock `DefaultChatTransport` echoes the whole history in every request; the gateway keeps
 * only the last message, so this bounds nothing but the upload and the scan of one request: about
 * 1.1 ms of CPU per MiB, ~70 ms at 64 MiB, with memory flat (measured in
 * docs/decisions/2026-12-06-chat-body-keeps-last-message.md). 64 MiB is 64 messages at the message
 * limit, or thousands of turns of ordinary chat.
 */
const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

const byteCount = z.coerce.number().int().positive();

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((value) => value === '1' || value === 'true');

export const gatewayEnvironmentSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  BATON_KEY_PREFIX: z.string().min(1).default('baton'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BATON_SECRET: z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : undefined) })
    .min(16, 'must be at least 16 characters'),
  BATON_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  BATON_MAX_MESSAGE_BYTES: byteCount.optional(),
  /** The former name of `BATON_MAX_MESSAGE_BYTES`, still read when the new one is unset. */
  BATON_MAX_BODY_BYTES: byteCount.optional(),
  BATON_MAX_REQUEST_BYTES: byteCount.default(DEFAULT_MAX_REQUEST_BYTES),
  BATON_PLAYGROUND: booleanFlag,
  BATON_STATIC_DIR: z.string().min(1).optional(),
  BATON_SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  BATON_OUTPUT_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  BATON_IDLE_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(30 * 24 * 3600),
  BATON_CLOSED_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(7 * 24 * 3600),
  BATON_REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  BATON_REDIS_MIN_REPLICAS: z.coerce.number().int().min(0).default(0),
  BATON_REDIS_REPLICA_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  BATON_CORS_ORIGINS: z.string().optional(),
  BATON_FAULT_INJECTION: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * The gateway's settings as `baton gateway --help` and the README list them; every key of the
 * environment schema but the test-only `BATON_FAULT_INJECTION` and the former
 * `BATON_MAX_BODY_BYTES` (config.test.ts checks).
 */
export const GATEWAY_SETTINGS: readonly ProcessSetting[] = [
  SHARED_PROCESS_SETTINGS.redisUrl,
  SHARED_PROCESS_SETTINGS.keyPrefix,
  {
    env: 'PORT',
    flag: 'port',
    value: '<port>',
    description: 'the port to listen on (default 3000)',
  },
  {
    env: 'HOST',
    flag: 'host',
    value: '<address>',
    description: 'the address to bind (default 0.0.0.0)',
  },
  {
    env: 'BATON_SECRET',
    flag: 'secret',
    value: '<key>',
    description: 'the secret key of /v1/* and the root of chat tokens (required, 16+ characters)',
  },
  {
    env: 'BATON_TOKEN_TTL_SECONDS',
    flag: 'token-ttl-seconds',
    value: '<s>',
    description: 'how long a chat token is valid (default 3600)',
  },
  {
    env: 'BATON_MAX_MESSAGE_BYTES',
    flag: 'max-message-bytes',
    value: '<n>',
    description: 'the largest new message of POST /api/chat (default 1 MiB)',
  },
  {
    env: 'BATON_MAX_REQUEST_BYTES',
    flag: 'max-request-bytes',
    value: '<n>',
    description: 'the largest POST /api/chat body, echoed history included (default 64 MiB)',
  },
  {
    env: 'BATON_PLAYGROUND',
    flag: 'playground',
    description: 'serve POST /playground/sessions, which needs no key (development only)',
  },
  {
    env: 'BATON_STATIC_DIR',
    flag: 'static-dir',
    value: '<dir>',
    description: 'a built web app to serve at / (the playground)',
  },
  {
    env: 'BATON_SSE_KEEPALIVE_MS',
    flag: 'sse-keepalive-ms',
    value: '<ms>',
    description: 'the interval of SSE keep-alive comments (default 15000)',
  },
  {
    env: 'BATON_OUTPUT_POLL_MS',
    flag: 'output-poll-ms',
    value: '<ms>',
    description: 'the safety re-read of a followed answer without a wake-up (default 1000)',
  },
  {
    env: 'BATON_IDLE_RETENTION_SECONDS',
    flag: 'idle-retention-seconds',
    value: '<s>',
    description: 'how long an unused chat keeps its keys, 0 forever (default 30 days)',
  },
  {
    env: 'BATON_CLOSED_RETENTION_SECONDS',
    flag: 'closed-retention-seconds',
    value: '<s>',
    description: 'how long a closed chat keeps its keys, 0 forever (default 7 days)',
  },
  SHARED_PROCESS_SETTINGS.redisCommandTimeout,
  {
    env: 'BATON_REDIS_MIN_REPLICAS',
    flag: 'redis-min-replicas',
    value: '<n>',
    description:
      'replicas that must hold an accepted message before it is acknowledged (default 0)',
  },
  {
    env: 'BATON_REDIS_REPLICA_TIMEOUT_MS',
    flag: 'redis-replica-timeout-ms',
    value: '<ms>',
    description: 'how long to wait for those replicas, then 503 (default 500)',
  },
  {
    env: 'BATON_CORS_ORIGINS',
    flag: 'cors-origins',
    value: '<origins>',
    description:
      'web origins whose browsers may call /api/chat directly, comma-separated (default: none)',
  },
  SHARED_PROCESS_SETTINGS.logLevel,
];

export type GatewayConfig = {
  redisUrl: string;
  keyPrefix: string;
  port: number;
  host: string;
  /** The server-side secret key: bearer of `/v1/*`, and the root of chat token signing. */
  secret: string;
  tokenTtlSeconds: number;
  /**
   * `POST /api/chat`: the new message plus the request's other fields, i.e. the body without the
   * history the stock transport echoes. Larger gets 413.
   */
  maxMessageBytes: number;
  /** `POST /api/chat`: the whole body, echoed history included. Larger gets 413. */
  maxRequestBytes: number;
  /** Serve `POST /playground/sessions`, which mints chat tokens without the secret (dev only). */
  isPlaygroundEnabled: boolean;
  /** A built web app to serve at `/` (the demo playground). */
  staticDirectory: string | undefined;
  /** Origins whose browsers may call the chat routes (CORS); empty: same origin only. */
  corsOrigins: readonly string[];
  sseKeepAliveMs: number;
  /** Safety re-read of a followed output stream when no wake-up came. */
  outputPollIntervalMs: number;
  /** How long a chat created and never used keeps its keys (0: forever). */
  idleRetentionMs: number;
  /** How long a closed chat keeps its keys (0: forever). */
  closedRetentionMs: number;
  /**
   * A command on the gateway's command connection that got no reply by then fails (the request
   * gets an error rather than hanging), and the silent connection is replaced: a half-open socket
   * otherwise hangs commands for minutes.
   */
  redisCommandTimeoutMs: number;
  /**
   * Replicas that must hold an accepted message or a close before the gateway acknowledges it
   * (Redis `WAIT`); fewer within `redisReplicaTimeoutMs` answers 503. 0: the primary's word.
   */
  redisMinReplicas: number;
  redisReplicaTimeoutMs: number;
  /** Crash points armed for chaos tests (never in production). */
  faultPoints: ReadonlyMap<GatewayFaultPoint, FaultAction>;
  logLevel: z.infer<typeof gatewayEnvironmentSchema>['LOG_LEVEL'];
};

/** Parses the gateway's environment once; nothing else reads `process.env`. */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv): GatewayConfig {
  const env = parseEnvironment(gatewayEnvironmentSchema, environment, 'gateway');
  const maxMessageBytes =
    env.BATON_MAX_MESSAGE_BYTES ?? env.BATON_MAX_BODY_BYTES ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (env.BATON_MAX_REQUEST_BYTES < maxMessageBytes) {
    const problem = 'BATON_MAX_REQUEST_BYTES: must be at least BATON_MAX_MESSAGE_BYTES';
    throw new Error(`invalid gateway configuration:\n  ${problem}`);
  }
  // A WAIT holds up the commands queued behind it on the connection, which must still answer
  // within the command timeout (a silent connection past it is dropped).
  if (
    env.BATON_REDIS_MIN_REPLICAS > 0 &&
    env.BATON_REDIS_REPLICA_TIMEOUT_MS * 2 > env.BATON_REDIS_COMMAND_TIMEOUT_MS
  ) {
    const problem =
      'BATON_REDIS_REPLICA_TIMEOUT_MS: must be at most half of BATON_REDIS_COMMAND_TIMEOUT_MS';
    throw new Error(`invalid gateway configuration:\n  ${problem}`);
  }
  return Object.freeze({
    redisUrl: env.REDIS_URL,
    keyPrefix: env.BATON_KEY_PREFIX,
    port: env.PORT,
    host: env.HOST,
    secret: env.BATON_SECRET,
    tokenTtlSeconds: env.BATON_TOKEN_TTL_SECONDS,
    maxMessageBytes,
    maxRequestBytes: env.BATON_MAX_REQUEST_BYTES,
    isPlaygroundEnabled: env.BATON_PLAYGROUND,
    staticDirectory: env.BATON_STATIC_DIR,
    corsOrigins: (env.BATON_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    sseKeepAliveMs: env.BATON_SSE_KEEPALIVE_MS,
    outputPollIntervalMs: env.BATON_OUTPUT_POLL_MS,
    idleRetentionMs: env.BATON_IDLE_RETENTION_SECONDS * 1000,
    closedRetentionMs: env.BATON_CLOSED_RETENTION_SECONDS * 1000,
    redisCommandTimeoutMs: env.BATON_REDIS_COMMAND_TIMEOUT_MS,
    redisMinReplicas: env.BATON_REDIS_MIN_REPLICAS,
    redisReplicaTimeoutMs: env.BATON_REDIS_REPLICA_TIMEOUT_MS,
    faultPoints: parseFaultPoints(env.BATON_FAULT_INJECTION, GATEWAY_FAULT_POINTS),
    logLevel: env.LOG_LEVEL,
  });
}
