import { readdirSync, readFileSync } from 'node:fs';
import { REPOSITORY_ROOT, type ServiceProcess, startServiceProcess } from '@baton/testing';

/** The `baton` CLI, run from source as `pnpm start` runs it. */
export const LAUNCHER_ENTRY = `${REPOSITORY_ROOT}apps/cli/src/main.ts`;

/**
 * Settings of the test runner's own environment that would point the launcher away from its own
 * Redis, port and build check, or colour its output.
 */
const ISOLATED_SETTINGS = [
  'REDIS_URL',
  'BATON_REDIS_PORT',
  'BATON_SECRET',
  'BATON_SKIP_BUILD',
  'BATON_WORKERS',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'FORCE_COLOR',
];
/** A cold start builds the playground (about 3 s here) and starts three processes. */
const READY_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 15_000;

/** A running `baton dev` and what it printed. */
export type DevLauncher = ServiceProcess & {
  /** The URL of its banner. */
  readonly url: string;
};

/** A process of this machine, as `/proc` lists it. */
export type ProcessEntry = { pid: number; command: string };

const BANNER = /Baton is running: (\S+)/;

/** Runs `node apps/cli/src/main.ts dev` with `env` and waits for its banner. */
export async function startDevLauncher(env: Record<string, string>): Promise<DevLauncher> {
  const service = await startServiceProcess({
    name: 'baton dev',
    script: LAUNCHER_ENTRY,
    args: ['dev'],
    cwd: REPOSITORY_ROOT,
    env: launcherEnvironment(env),
    readyPattern: BANNER,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const url = BANNER.exec(service.output())?.[1] ?? '';
  return {
    ...service,
    url,
    get hasExited() {
      return service.hasExited;
    },
    /** SIGTERM; after 15 s SIGKILL to it and to its children, which lead their own groups. */
    stop: async () => {
      const children = childProcessesOf(service.pid);
      const timer = setTimeout(() => {
        for (const entry of children) killQuietly(entry.pid);
      }, STOP_TIMEOUT_MS);
      try {
        return await service.stop(STOP_TIMEOUT_MS);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Removes the launcher's settings of this process's environment, adds `env`, turns colours off. */
export function launcherEnvironment(
  env: Record<string, string>,
): Record<string, string | undefined> {
  const removed = Object.fromEntries(ISOLATED_SETTINGS.map((name) => [name, undefined]));
  return { ...removed, NO_COLOR: '1', ...env };
}

/** The direct children of `pid`, from `/proc/<pid>/stat` (field 4 is the parent's pid). */
export function childProcessesOf(pid: number): ProcessEntry[] {
  const children: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may hold spaces: the fields after it are fixed.
      const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parentPid !== pid) continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      children.push({ pid: Number(name), command });
    } catch {
      // Gone while listing.
    }
  }
  return children;
}

/**
 * The `BATON_WORKER_ID` a process was started with, from `/proc/<pid>/environ`: how a test tells
 * the launcher's `worker-1` from its `worker-2`. Undefined for another process or one that is gone.
 */
export function workerIdOf(pid: number): string | undefined {
  try {
    const variables = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const variable = variables.find((entry) => entry.startsWith('BATON_WORKER_ID='));
    return variable?.slice('BATON_WORKER_ID='.length);
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (a zombie counts: it was not reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
