import type { z } from 'zod';

/**
 * Parses a process's environment with its config schema, once, and fails with every problem
 * listed (each app's `config.ts` is the only reader of `process.env`).
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  environment: Record<string, string | undefined>,
  label: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid ${label} configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * One setting of a Baton process as its `--help` and README document it: the environment
 * variable the process reads, and the command-line flag that `baton` maps onto it.
 */
export type ProcessSetting = {
  /** The environment variable, e.g. `PORT`. */
  env: string;
  /** The long flag without dashes, e.g. `port`; `baton` sets `env` from it. */
  flag: string;
  /** The value's placeholder in the help, e.g. `<port>`; absent for an on/off switch. */
  value?: string;
  /** One line for the help, its default included. */
  description: string;
};

/** The settings every Baton process reads the same way: its Redis, its key prefix, its logs. */
export const SHARED_PROCESS_SETTINGS = {
  redisUrl: {
    env: 'REDIS_URL',
    flag: 'redis-url',
    value: '<url>',
    description: 'the Redis to use (default redis://127.0.0.1:6379)',
  },
  keyPrefix: {
    env: 'BATON_KEY_PREFIX',
    flag: 'key-prefix',
    value: '<prefix>',
    description: 'the prefix of every Redis key (default baton)',
  },
  redisCommandTimeout: {
    env: 'BATON_REDIS_COMMAND_TIMEOUT_MS',
    flag: 'redis-command-timeout-ms',
    value: '<ms>',
    description: 'a Redis command without a reply by then fails (default 5000)',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    value: '<level>',
    description: 'fatal, error, warn, info, debug, trace or silent (default info)',
  },
} as const satisfies Record<string, ProcessSetting>;
