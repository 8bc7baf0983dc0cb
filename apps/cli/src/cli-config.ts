import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ProcessSetting } from '@baton/protocol';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log-line.ts';

/**
 * The settings of `baton dev` as its `--help` and the README list them (each a flag or its
 * variable); every other variable passes through to the gateway and the workers.
 */
export const DEV_SETTINGS: readonly ProcessSetting[] = [
  {
    env: 'BATON_AGENTS',
    flag: 'agents',
    value: '<files...>',
    description: 'agent modules to host (default: the demo agents)',
  },
  {
    env: 'BATON_WORKERS',
    flag: 'workers',
    value: '<n>',
    description: 'worker processes (default 2)',
  },
  {
    env: 'PORT',
    flag: 'port',
    value: '<port>',
    description: "the gateway's port; the playground is at http://localhost:<port> (default 3000)",
  },
  {
    env: 'HOST',
    flag: 'host',
    value: '<address>',
    description:
      "the gateway's bind address; 0.0.0.0 exposes the keyless playground (default 127.0.0.1)",
  },
  {
    env: 'REDIS_URL',
    flag: 'redis-url',
    value: '<url>',
    description: 'use this Redis (default: start redis-server, which must be on PATH)',
  },
  {
    env: 'BATON_REDIS_PORT',
    flag: 'redis-port',
    value: '<port>',
    description: 'the port of the started redis-server (default: a free one)',
  },
  {
    env: 'BATON_SECRET',
    flag: 'secret',
    value: '<key>',
    description: 'the secret key of /v1/* (default: a random one per start)',
  },
  {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    value: '<level>',
    description: 'the lowest level of gateway and worker lines shown (default warn)',
  },
  {
    env: 'BATON_WATCH',
    flag: 'watch',
    value: '<on|off>',
    description: 'restart the workers when an agent file changes (default on with --agents)',
  },
  {
    env: 'BATON_SKIP_BUILD',
    flag: 'skip-build',
    description:
      'serve the playground as built, without checking its sources (a checkout of Baton only)',
  },
];

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
  /**
   * The agent modules to host (`BATON_AGENTS`, comma-separated), paths made absolute against the
   * working directory; `undefined`: the demo agents.
   */
  agentModules: string[] | undefined;
  /** `BATON_WATCH`: restart the workers when an agent file changes; default on with agents. */
  shouldWatch: boolean;
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
export function loadCliConfig(environment: NodeJS.ProcessEnv, cwd = process.cwd()): CliConfig {
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
  const agentModules = nonEmpty(environment.BATON_AGENTS)
    ?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => (isModulePath(entry) ? resolve(cwd, entry) : entry));
  const missing = agentModules?.find((entry) => isAbsolute(entry) && !existsSync(entry));
  if (missing !== undefined) {
    throw new CliConfigError(`the agent module ${missing} does not exist`);
  }
  const watch = nonEmpty(environment.BATON_WATCH) ?? 'on';
  if (!['on', 'off', '1', '0', 'true', 'false'].includes(watch)) {
    throw new CliConfigError(`BATON_WATCH must be on or off; got "${watch}"`);
  }
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
    agentModules,
    shouldWatch: agentModules !== undefined && (watch === 'on' || isTrue(watch)),
  };
}

/** A file path rather than a package name (the worker's rule, apps/worker/src/load-agents.ts). */
function isModulePath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier);
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
