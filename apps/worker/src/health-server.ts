import { createServer, type Server } from 'node:http';
import type { WorkerState } from './worker-host.ts';

/** Options of {@link startHealthServer}. */
export type HealthServerOptions = {
  port: number;
  host: string;
  /** The worker's state: ready while `running`. */
  state: () => WorkerState;
  /** A round trip to Redis; ready only while it answers. */
  ping: () => Promise<void>;
  /** How long `/readyz` waits for the ping. */
  pingTimeoutMs?: number;
};

const DEFAULT_PING_TIMEOUT_MS = 1_000;

/**
 * The worker's probes, for containers and Kubernetes (a worker serves no other HTTP):
 * `GET /healthz` answers 200 while the process is up and not stopped (liveness: a wedged event
 * loop does not answer at all); `GET /readyz` answers 200 while the worker takes runs and Redis
 * answers, and 503 while it starts, drains or cannot reach Redis. Resolves once it listens.
 *
 * @example
 * ```ts
 * const server = await startHealthServer({ port: 9000, host: '0.0.0.0', state, ping });
 * ```
 */
export async function startHealthServer(options: HealthServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: Record<string, string>) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return reply(405, { error: 'GET only' });
    const state = options.state();
    if (path === '/healthz') {
      return state === 'stopped' ? reply(503, { status: state }) : reply(200, { status: 'ok' });
    }
    if (path !== '/readyz') return reply(404, { error: 'not found' });
    if (state !== 'running') return reply(503, { status: 'unavailable', reason: state });
    const timeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    void Promise.race([
      options.ping(),
      new Promise((_, reject) => setTimeout(reject, timeoutMs, new Error('timeout')).unref()),
    ]).then(
      () => reply(200, { status: 'ready' }),
      () => reply(503, { status: 'unavailable', reason: 'Redis is unreachable' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
