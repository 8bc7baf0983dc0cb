import { isLogLevel, LOG_LEVELS, type LogLevel } from './log-line.ts';

/** What `baton dev` reads from its environment; everything else passes through to the children. */
export type CliConfig = {
  /** The gateway's port: `PORT`, default 3000. */
  port: number;
  /** The gateway's bind address: `HOST`, default 127.0.0.1. */
  host: string;
  /** Worker processes: `BATON_WORKERS`, default 2. */
  workerCount: number;
  /** An existing Redis (`REDIS_URL`); without it the launcher starts `redis-server`. */
  redisUrl: string | undefined;
  /** The port of the started `redis-server` (`BATON_REDIS_PORT`); default a free port. */
  redisPort: number | undefined;
  /** `BATON_SKIP_BUILD=1`: serve the playground as built, even when stale or missing. */
  shouldSkipBuild: boolean;
  /** `BATON_SECRET`; without it the launcher makes a random one per start. */
  secret: string | undefined;
  /** The lowest level of the children's log lines shown: `LOG_LEVEL`, default warn. */
  logLevel: LogLevel;
};

/** A setting `baton dev` cannot run with; its message is meant for the terminal. */
export class CliConfigError extends Error {
  override name = 'CliConfigError';
}

/** The most worker processes one machine is asked for; more is a typo rather than a plan. */
const MAX_WORKERS = 64;
/** The gateway's own minimum (apps/gateway/src/config.ts), checked early for a clear message. */
const MIN_SECRET_LENGTH = 16;

/** Parses the launcher's settings once; nothing else in the CLI reads them from `process.env`. */
export function loadCliConfig(environment: NodeJS.ProcessEnv): CliConfig {
  const secret = nonEmpty(environment.BATON_SECRET);
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new CliConfigError(`BATON_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const logLevel = nonEmpty(environment.LOG_LEVEL) ?? 'warn';
  if (!isLogLevel(logLevel)) {
    throw new CliConfigError(
      `LOG_LEVEL must be one of ${Object.keys(LOG_LEVELS).join(', ')}; got "${logLevel}"`,
    );
  }
  const redisPort = nonEmpty(environment.BATON_REDIS_PORT);
  return {
    port: integerSetting(environment, 'PORT', 3000, 1, 65_535),
    host: nonEmpty(environment.HOST) ?? '127.0.0.1',
    workerCount: integerSetting(environment, 'BATON_WORKERS', 2, 1, MAX_WORKERS),
    redisUrl: nonEmpty(environment.REDIS_URL),
    redisPort:
      redisPort === undefined
        ? undefined
        : integerSetting(environment, 'BATON_REDIS_PORT', 0, 1, 65_535),
    shouldSkipBuild: isTrue(environment.BATON_SKIP_BUILD),
    secret,
    logLevel,
  };
}

function integerSetting(
  environment: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = nonEmpty(environment[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new CliConfigError(`${name} must be an integer from ${min} to ${max}; got "${text}"`);
  }
  return value;
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
