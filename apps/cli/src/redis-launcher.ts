import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ManagedProcess, ProcessGroup } from './process-group.ts';

/** The name of the Redis process in the launcher's output and process group. */
export const REDIS_PROCESS_NAME = 'redis';

/** Options of {@link startRedis}. */
export type StartRedisOptions = {
  /** The `redis-server` binary, see {@link findExecutable}. */
  binary: string;
  port: number;
  /** Its working directory; nothing is written there with persistence off. */
  directory: string;
  signal: AbortSignal;
};

/** A `redis-server` that the launcher started and stops last. */
export type StartedRedis = { url: string; process: ManagedProcess };

/** The path of an executable on `PATH`, or `undefined`: checked up front for a clear message. */
export function findExecutable(name: string, pathVariable: string | undefined): string | undefined {
  for (const directory of (pathVariable ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * Starts a throwaway `redis-server` on 127.0.0.1 and resolves once it accepts connections. Its log
 * is hidden (the group keeps its last lines for a crash report).
 */
export async function startRedis(
  group: ProcessGroup,
  options: StartRedisOptions,
): Promise<StartedRedis> {
  mkdirSync(options.directory, { recursive: true });
  const redis = group.spawn({
    name: REDIS_PROCESS_NAME,
    command: options.binary,
    args: [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.directory,
      // A dev Redis: chats live as long as the launcher, and a restart starts clean.
      '--save',
      '',
      '--appendonly',
      'no',
      // BullMQ loses jobs under eviction and warns at startup unless the policy is noeviction.
      '--maxmemory-policy',
      'noeviction',
    ],
    env: process.env,
    cwd: options.directory,
    display: () => undefined,
  });
  await redis.waitForLine(/Ready to accept connections/, options.signal);
  return { url: `redis://127.0.0.1:${options.port}`, process: redis };
}
