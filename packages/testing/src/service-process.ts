import { type ChildProcess, spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

export type ServiceProcessOptions = {
  /** Shown in errors and logs, e.g. `worker-1`. */
  name: string;
  /** A `.ts` or `.js` entry point, run by `node`. */
  script: string;
  /** The Node binary; default this process's. */
  node?: string;
  args?: string[];
  /** Added to this process's environment; `undefined` removes a variable. */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Ready once a line of output matches. */
  readyPattern?: RegExp;
  /** Ready once this URL answers 2xx. */
  readyUrl?: string;
  readyTimeoutMs?: number;
};

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** A real child process of the system under test: killed for real in chaos tests. */
export type ServiceProcess = {
  readonly name: string;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr), without terminal colours. */
  output(): string;
  /** Resolves once the process is gone. */
  readonly exited: Promise<ExitStatus>;
  readonly hasExited: boolean;
  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<ExitStatus>;
  /** SIGKILL; resolves once it exited. */
  kill(): Promise<ExitStatus>;
};

const MAX_OUTPUT_CHARS = 2_000_000;

/** Starts a service process and waits until it is ready. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(options.env))
    if (value === undefined) delete env[name];
  const child: ChildProcess = spawn(
    options.node ?? process.execPath,
    [options.script, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let hasExited = false;
  const listeners = new Set<() => void>();
  const onData = (data: Buffer) => {
    output += stripVTControlCharacters(data.toString());
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });

  const service: ServiceProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    get hasExited() {
      return hasExited;
    },
    signal: (signal) => {
      if (!hasExited) child.kill(signal);
    },
    stop: async (graceMs = 10_000) => {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (!hasExited) child.kill('SIGKILL');
      return exited;
    },
  };

  try {
    await waitUntilReady(options, service, listeners);
  } catch (error) {
    // A child that never became ready must not outlive the test that started it.
    await service.kill();
    throw error;
  }
  return service;
}

async function waitUntilReady(
  options: ServiceProcessOptions,
  service: ServiceProcess,
  listeners: Set<() => void>,
): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  const fail = (reason: string) =>
    new Error(`${options.name} ${reason}; its output:\n${service.output().slice(-4000)}`);
  if (options.readyPattern) {
    const pattern = options.readyPattern;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(service.output())) finish(resolve);
        else if (service.hasExited) finish(() => reject(fail('exited before it was ready')));
      };
      const timer = setTimeout(
        () => finish(() => reject(fail(`was not ready within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  }
  if (options.readyUrl) {
    for (;;) {
      if (service.hasExited) throw fail('exited before it was ready');
      if (Date.now() > deadline) throw fail(`was not ready within ${timeoutMs} ms`);
      try {
        const response = await fetch(options.readyUrl);
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
