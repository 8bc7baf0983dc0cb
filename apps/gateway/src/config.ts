import { type FaultPoint, parseEnvironment, parseFaultPoints } from '@baton/protocol';
import { z } from 'zod';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((value) => value === '1' || value === 'true');

const environmentSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  BATON_KEY_PREFIX: z.string().min(1).default('baton'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BATON_SECRET: z.string().min(16, 'BATON_SECRET must be at least 16 characters'),
  BATON_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  BATON_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  BATON_PLAYGROUND: booleanFlag,
  BATON_STATIC_DIR: z.string().min(1).optional(),
  BATON_SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  BATON_OUTPUT_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  BATON_FAULT_INJECTION: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type GatewayConfig = {
  redisUrl: string;
  keyPrefix: string;
  port: number;
  host: string;
  /** The server-side secret key: bearer of `/v1/*`, and the root of chat token signing. */
  secret: string;
  tokenTtlSeconds: number;
  maxBodyBytes: number;
  /** Serve `POST /playground/sessions`, which mints chat tokens without the secret (dev only). */
  isPlaygroundEnabled: boolean;
  /** A built web app to serve at `/` (the demo playground). */
  staticDirectory: string | undefined;
  sseKeepAliveMs: number;
  /** Safety re-read of a followed output stream when no wake-up came. */
  outputPollIntervalMs: number;
  /** Crash points armed for chaos tests (never in production). */
  faultPoints: FaultPoint[];
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
};

/** Parses the gateway's environment once; nothing else reads `process.env`. */
export function loadGatewayConfig(environment: NodeJS.ProcessEnv): GatewayConfig {
  const env = parseEnvironment(environmentSchema, environment, 'gateway');
  return Object.freeze({
    redisUrl: env.REDIS_URL,
    keyPrefix: env.BATON_KEY_PREFIX,
    port: env.PORT,
    host: env.HOST,
    secret: env.BATON_SECRET,
    tokenTtlSeconds: env.BATON_TOKEN_TTL_SECONDS,
    maxBodyBytes: env.BATON_MAX_BODY_BYTES,
    isPlaygroundEnabled: env.BATON_PLAYGROUND,
    staticDirectory: env.BATON_STATIC_DIR,
    sseKeepAliveMs: env.BATON_SSE_KEEPALIVE_MS,
    outputPollIntervalMs: env.BATON_OUTPUT_POLL_MS,
    faultPoints: parseFaultPoints(env.BATON_FAULT_INJECTION),
    logLevel: env.LOG_LEVEL,
  });
}
