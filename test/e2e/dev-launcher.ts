import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { REPOSITORY_ROOT } from '@baton/testing';

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

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** A running `baton dev` and what it printed. */
export type DevLauncher = {
  readonly pid: number;
  /** The URL of its banner. */
  readonly url: string;
  /** Its stdout and stderr so far, without colours. */
  output(): string;
  readonly exited: Promise<ExitStatus>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM; SIGKILL to it and its children if it has not exited in 15 s. */
  stop(): Promise<ExitStatus>;
};

/** A process of this machine, as `/proc` lists it. */
export type ProcessEntry = { pid: number; command: string };

/** Runs `node apps/cli/src/main.ts dev` with `env` and waits for its banner. */
export async function startDevLauncher(env: Record<string, string>): Promise<DevLauncher> {
  const child = spawn(process.execPath, [LAUNCHER_ENTRY, 'dev'], {
    cwd: REPOSITORY_ROOT,
    env: launcherEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (data: Buffer) => {
    output += stripVTControlCharacters(data.toString());
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let hasExited = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  const pid = child.pid ?? -1;

  const stop = async (): Promise<ExitStatus> => {
    if (hasExited) return exited;
    const children = childProcessesOf(pid);
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      // Its children lead their own process groups: a SIGKILLed launcher would orphan them.
      for (const entry of children) killQuietly(entry.pid);
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /Baton is running: (\S+)/.exec(output);
        if (match?.[1] !== undefined) finish(() => resolve(match[1] as string));
        else if (hasExited) finish(() => reject(new Error(`baton dev exited:\n${output}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no banner in ${READY_TIMEOUT_MS} ms:\n${output}`))),
        READY_TIMEOUT_MS,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    pid,
    url,
    output: () => output,
    exited,
    signal: (signal) => {
      if (!hasExited) child.kill(signal);
    },
    stop,
  };
}

/** This process's environment without the launcher's settings, plus `env`, without colours. */
export function launcherEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ISOLATED_SETTINGS) delete environment[name];
  return { ...environment, NO_COLOR: '1', ...env };
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
