import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Redis's own per-command counters (`INFO commandstats`) through `redis-cli`: how many round
 * trips and stream appends Baton spends per turn. Commands called inside Lua are counted too, so
 * `xadd` per `evalsha` is the worker's batching ratio. A diagnostic only: `undefined` without
 * `redis-cli`, and the bench goes on.
 */
export class RedisStats {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async reset(): Promise<boolean> {
    try {
      await run('redis-cli', ['-u', this.#url, 'CONFIG', 'RESETSTAT']);
      return true;
    } catch {
      return false;
    }
  }

  /** Calls per command name since the last reset. */
  async read(): Promise<Map<string, number> | undefined> {
    try {
      const { stdout } = await run('redis-cli', ['-u', this.#url, 'INFO', 'commandstats']);
      const calls = new Map<string, number>();
      for (const match of stdout.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        const [, name, count] = match;
        if (name !== undefined && count !== undefined) calls.set(name, Number(count));
      }
      return calls;
    } catch {
      return undefined;
    }
  }

  /** The server's process id (`INFO server`), for its CPU time. */
  async pid(): Promise<number | undefined> {
    try {
      const { stdout } = await run('redis-cli', ['-u', this.#url, 'INFO', 'server']);
      const match = /^process_id:(\d+)/m.exec(stdout);
      return match?.[1] === undefined ? undefined : Number(match[1]);
    } catch {
      return undefined;
    }
  }
}

/** `xadd 519.0, evalsha 103.6, …`: the most called commands, per turn. */
export function formatCallsPerTurn(calls: Map<string, number>, turnCount: number): string {
  return [...calls.entries()]
    .sort(([, left], [, right]) => right - left)
    .slice(0, 8)
    .map(([name, count]) => `${name} ${(count / turnCount).toFixed(1)}`)
    .join(', ');
}
