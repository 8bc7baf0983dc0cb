import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

/** How a child process ended. */
export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** Options of {@link ProcessGroup.spawn}. */
export type SpawnOptions = {
  /** The prefix of its output lines, e.g. `worker-1`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the terminal shows of one output line; `undefined` hides it. Default: the line. */
  display?: (line: string) => string | undefined;
  /** A one-shot task (the build): its exit is expected, never reported as a crash. */
  isTask?: boolean;
};

/** Where the output of the children goes. */
export type GroupOutput = {
  write: (text: string) => void;
  /** The prefix of a process's lines, e.g. a coloured `[gateway]`. */
  label?: (name: string) => string;
};

/** Output lines kept per process for the report when it dies. */
const RECENT_LINE_COUNT = 40;
/** How long a report waits for the output of a process that already exited. */
const OUTPUT_DRAIN_MS = 500;

/** A child process of the launcher, with its output prefixed and its last lines kept. */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly isTask: boolean;
  /** What it was started with: a restart starts it again the same way. */
  readonly options: SpawnOptions;
  /** When it was started (ms epoch): how long it stayed up decides the backoff of a restart. */
  readonly startedAtMs = Date.now();
  /** Resolves once the process exited (or could not start). */
  readonly exited: Promise<ExitStatus>;
  #hasExited = false;
  #isStopping = false;
  #recentLines: string[] = [];
  #lineListeners = new Set<(line: string) => void>();
  #outputClosed: Promise<void>;

  constructor(child: ChildProcess, options: SpawnOptions, output: GroupOutput) {
    this.name = options.name;
    this.pid = child.pid ?? -1;
    this.isTask = options.isTask ?? false;
    this.options = options;
    const display = options.display ?? ((line: string) => line);
    const prefix = `${output.label?.(options.name) ?? `[${options.name}]`} `;
    const write = output.write;
    const onLine = (line: string) => {
      this.#recentLines.push(line);
      if (this.#recentLines.length > RECENT_LINE_COUNT) this.#recentLines.shift();
      for (const listener of this.#lineListeners) listener(line);
      const shown = display(line);
      if (shown !== undefined) write(prefixLines(prefix, shown));
    };
    const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
    this.#outputClosed = Promise.all(
      streams.map((stream) => {
        const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', onLine);
        return new Promise<void>((resolve) => lines.once('close', resolve));
      }),
    ).then(() => undefined);
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      // A spawn failure (ENOENT) may never emit `exit`.
      child.on('error', (error) => {
        if (child.pid === undefined) {
          onLine(`could not start ${options.command}: ${error.message}`);
          resolve({ code: null, signal: null });
        }
      });
    }).then((status) => {
      this.#hasExited = true;
      return status;
    });
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  /** Whether the launcher asked it to stop, so its exit is no crash. */
  get isStopping(): boolean {
    return this.#isStopping;
  }

  /** Its last output lines, raw, once the output written before its exit has been read. */
  async recentLines(): Promise<readonly string[]> {
    await Promise.race([this.#outputClosed, delay(OUTPUT_DRAIN_MS)]);
    return [...this.#recentLines];
  }

  /** Calls `listener` with each output line from now on, raw. */
  onLine(listener: (line: string) => void): void {
    this.#lineListeners.add(listener);
  }

  /** Resolves at the first output line matching `pattern`; rejects if it exits first. */
  waitForLine(pattern: RegExp, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (settle: () => void) => {
        this.#lineListeners.delete(onLine);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onLine = (line: string) => {
        if (pattern.test(line)) finish(resolve);
      };
      const onAbort = () => finish(() => reject(signal.reason));
      if (signal.aborted) return onAbort();
      this.#lineListeners.add(onLine);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.exited.then(() =>
        finish(() => reject(new Error(`${this.name} exited before it was ready`))),
      );
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs: number): Promise<ExitStatus> {
    this.#isStopping = true;
    if (this.#hasExited) return this.exited;
    this.#signal('SIGTERM');
    const timer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL at once, without waiting: the last resort when the launcher itself is exiting. */
  killNow(): void {
    this.#isStopping = true;
    if (!this.#hasExited) this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.pid < 0) return;
    try {
      // The child leads its own process group (see `ProcessGroup.spawn`): signalling the group
      // also reaches what it started, e.g. the esbuild service of a Vite build.
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * The processes `baton dev` runs. Each one leads its own process group, so the terminal's Ctrl-C
 * reaches only the launcher, which then stops them in order: services first, Redis last. Were
 * they in the terminal's group, Redis would shut down with the workers that still need it to hand
 * their chats over.
 */
export class ProcessGroup {
  #processes: ManagedProcess[] = [];
  #output: GroupOutput;
  #exitListeners = new Set<(managed: ManagedProcess) => void>();
  #lineListeners = new Set<(managed: ManagedProcess, line: string) => void>();

  constructor(output: GroupOutput) {
    this.#output = output;
  }

  /** Calls `listener` with each service that exits without being asked to. */
  onUnexpectedExit(listener: (managed: ManagedProcess) => void): void {
    this.#exitListeners.add(listener);
  }

  /** Calls `listener` with each output line of every process, restarted ones included. */
  onLine(listener: (managed: ManagedProcess, line: string) => void): void {
    this.#lineListeners.add(listener);
  }

  get processes(): readonly ManagedProcess[] {
    return this.#processes;
  }

  spawn(options: SpawnOptions): ManagedProcess {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const managed = new ManagedProcess(child, options, this.#output);
    managed.onLine((line) => {
      for (const listener of this.#lineListeners) listener(managed, line);
    });
    this.#processes.push(managed);
    void managed.exited.then(() => {
      if (managed.isTask || managed.isStopping) return;
      for (const listener of this.#exitListeners) listener(managed);
    });
    return managed;
  }

  /**
   * Starts a process that exited again, with the same name, command and environment, in its place
   * in the group: a supervised service that crash-loops for hours does not grow the list.
   */
  restart(exited: ManagedProcess): ManagedProcess {
    this.#processes = this.#processes.filter((managed) => managed !== exited);
    return this.spawn(exited.options);
  }

  /** Stops these processes in parallel; see {@link ManagedProcess.stop}. */
  async stop(processes: readonly ManagedProcess[], graceMs: number): Promise<void> {
    await Promise.all(processes.map((managed) => managed.stop(graceMs)));
  }

  /** SIGKILLs every process still running, synchronously (safe in an `exit` handler). */
  killAllNow(): void {
    for (const managed of this.#processes) managed.killNow();
  }
}

function prefixLines(prefix: string, text: string): string {
  return `${text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')}\n`;
}
