import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export type RedisServerOptions = {
  /**
   * The address to listen on (default `127.0.0.1`). Another (`0.0.0.0`: reachable from containers
   * at `host.containers.internal`) turns protected mode off; a `redis-server` process is started.
   */
  bind?: string;
  /** Turn on AOF persistence (`appendonly yes`) with this fsync policy. */
  appendFsync?: 'always' | 'everysec';
  /**
   * Start as a replica of the Redis on this port of 127.0.0.1 (`--replicaof`); `REPLICAOF NO ONE`
   * promotes it. Always a local process.
   */
  replicaOfPort?: number;
  /** A local `redis-server` process even where Docker runs: a test that kills or pauses it. */
  isLocalProcess?: boolean;
};

/** A Redis server owned by one test file: it can be killed and restarted on the same port. */
export type RedisServer = {
  readonly url: string;
  readonly port: number;
  /** `container` where a Docker engine runs (testcontainers), else a local `redis-server`. */
  readonly kind: 'container' | 'process';
  /** Stop the server for good and delete its files. */
  stop(): Promise<void>;
  /** Kill the server abruptly (SIGKILL); `start()` brings it back on the same port and data. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): it keeps its sockets but answers nothing, and the kernel still
   * buffers what its peers send it, which it reads once `resume()` sends SIGCONT.
   */
  pause(): void;
  resume(): void;
};

const READY_TIMEOUT_MS = 10_000;

function findRedisServer(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

function hasDockerEngine(): boolean {
  const host = process.env.DOCKER_HOST;
  return (host !== undefined && host !== '') || existsSync('/var/run/docker.sock');
}

/**
 * Starts a Redis for a test. Where a Docker engine exists it uses testcontainers; here (no engine)
 * it falls back to the `redis-server` binary on a free port. With neither it throws: a test whose
 * infrastructure is missing fails loudly, it never passes or skips silently.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const needsProcess =
    options.appendFsync !== undefined ||
    options.replicaOfPort !== undefined ||
    options.isLocalProcess === true ||
    options.bind !== undefined;
  if (hasDockerEngine() && !needsProcess) {
    try {
      return await startContainer();
    } catch (error) {
      if (!findRedisServer()) throw error;
    }
  }
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      'No Redis for tests: install redis-server (apt-get install redis-server) or run a Docker engine.',
    );
  }
  return startProcess(binary, options);
}

async function startContainer(): Promise<RedisServer> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7.4-alpine').start();
  return {
    url: container.getConnectionUrl(),
    port: container.getPort(),
    kind: 'container',
    stop: async () => {
      await container.stop();
    },
    kill: async () => {
      throw new Error('killing a containerized Redis is not supported; use the process kind');
    },
    start: async () => {},
    pause: () => {
      throw new Error('pausing a containerized Redis is not supported; use the process kind');
    },
    resume: () => {},
  };
}

async function startProcess(binary: string, options: RedisServerOptions): Promise<RedisServer> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'baton-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    options.bind ?? '127.0.0.1',
    ...(options.bind === undefined || options.bind === '127.0.0.1'
      ? []
      : ['--protected-mode', 'no']),
    '--dir',
    directory,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...(options.appendFsync
      ? ['--appendonly', 'yes', '--appendfsync', options.appendFsync]
      : ['--appendonly', 'no']),
    // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
    '--repl-diskless-sync-delay',
    '0',
    ...(options.replicaOfPort === undefined
      ? []
      : ['--replicaof', '127.0.0.1', String(options.replicaOfPort)]),
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const server = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        reject(
          new Error(`redis-server did not become ready in ${READY_TIMEOUT_MS} ms:\n${output}`),
        );
      }, READY_TIMEOUT_MS);
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          server.stdout?.off('data', onData);
          resolve();
        }
      };
      server.stdout?.on('data', onData);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  const signal = (name: 'SIGSTOP' | 'SIGCONT'): void => {
    if (!child || child.exitCode !== null)
      throw new Error(`redis-server on ${port} is not running`);
    child.kill(name);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kind: 'process',
    start,
    kill,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async () => {
      await kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
