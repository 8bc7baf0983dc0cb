import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer } from './health-server.ts';
import type { WorkerState } from './worker-host.ts';

describe('the worker health server', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function probe(state: WorkerState, ping: () => Promise<void>) {
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      state: () => state,
      ping,
      pingTimeoutMs: 100,
    });
    const { port } = server.address() as AddressInfo;
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.json() };
    };
    return { healthz: await get('/healthz'), readyz: await get('/readyz') };
  }

  it('is live and ready while the worker runs and Redis answers', async () => {
    expect(await probe('running', async () => {})).toEqual({
      healthz: { status: 200, body: { status: 'ok' } },
      readyz: { status: 200, body: { status: 'ready' } },
    });
  });

  it.each(['starting', 'draining'] as const)('is live but not ready while %s', async (state) => {
    const { healthz, readyz } = await probe(state, async () => {});
    expect(healthz.status).toBe(200);
    expect(readyz).toEqual({ status: 503, body: { status: 'unavailable', reason: state } });
  });

  it('is not ready when Redis fails or does not answer in time', async () => {
    const failing = await probe('running', () => Promise.reject(new Error('ECONNREFUSED')));
    expect(failing.readyz.status).toBe(503);
    server?.close();
    const silent = await probe('running', () => new Promise(() => {}));
    expect(silent.readyz).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'Redis is unreachable' },
    });
  });
});
