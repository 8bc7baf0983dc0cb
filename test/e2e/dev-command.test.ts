import { spawnSync } from 'node:child_process';
import type { CreateSessionResponse } from '@baton/protocol';
import { freePort, parseSseChunks, sseText } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childProcessesOf,
  type DevLauncher,
  isRunning,
  LAUNCHER_ENTRY,
  launcherEnvironment,
  startDevLauncher,
} from './dev-launcher.ts';

// `pnpm start` end to end: the launcher starts its own Redis, builds the playground when it is
// stale, and runs a gateway and two workers; SIGINT must leave none of them behind.
describe('baton dev', () => {
  let port: number;
  let launcher: DevLauncher | undefined;

  beforeAll(async () => {
    port = await freePort();
    launcher = await startDevLauncher({ PORT: String(port), BATON_DEMO_DELAY_MS: '1' });
  });

  afterAll(async () => {
    await launcher?.stop();
  });

  it('prints the playground URL and the secret key in its banner', () => {
    expect(launcher!.url).toBe(`http://localhost:${port}`);
    expect(launcher!.output()).toMatch(/Secret key {2}\S{16,}/);
  });

  it('serves the built playground page at /', async () => {
    const response = await fetch(`${launcher!.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>Baton playground</title>');
    // The built page, not the source: Vite rewrites the entry to a hashed bundle.
    expect(html).toMatch(/src="\/assets\/index-[\w-]+\.js"/);
  });

  it('streams the answer to a chat message as SSE', async () => {
    const sessionResponse = await fetch(`${launcher!.url}/playground/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'demo' }),
    });
    expect(sessionResponse.status).toBe(201);
    const session = (await sessionResponse.json()) as CreateSessionResponse;
    expect(session.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const response = await fetch(`${launcher!.url}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: session.chatId,
        message: { id: 'message-1', role: 'user', parts: [{ type: 'text', text: 'hi' }] },
        trigger: 'submit-message',
      }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await response.text();
    expect(sseText(body)).toContain('Turn 1: you said "hi"');
    expect(parseSseChunks(body).at(-1)?.type).toBe('finish');
  });

  it('stops Redis, the gateway and the workers on SIGINT and exits 0', async () => {
    const current = launcher!;
    const children = childProcessesOf(current.pid);
    const kinds = children.map((child) => kindOf(child.command)).sort();
    expect(kinds).toEqual(['gateway', 'redis-server', 'worker', 'worker']);

    current.signal('SIGINT');
    const status = await Promise.race([
      current.exited,
      new Promise<'timeout'>((resolve) => setTimeout(resolve, 15_000, 'timeout')),
    ]);
    expect(status, current.output()).toEqual({ code: 0, signal: null });
    expect(children.filter((child) => isRunning(child.pid))).toEqual([]);
    expect(current.output()).toContain('[baton] stopped');
  });
});

function kindOf(command: string): string {
  if (command.includes('redis-server')) return 'redis-server';
  if (command.includes('apps/gateway/src/main.ts')) return 'gateway';
  if (command.includes('apps/worker/src/main.ts')) return 'worker';
  return command;
}

describe('baton dev when Redis dies', () => {
  it('stops everything else and exits 1 with the last output of Redis', async () => {
    const launcher = await startDevLauncher({ PORT: String(await freePort()), BATON_WORKERS: '1' });
    try {
      const children = childProcessesOf(launcher.pid);
      const redis = children.find((child) => kindOf(child.command) === 'redis-server');
      expect(redis).toBeDefined();
      process.kill(redis!.pid, 'SIGKILL');

      const status = await Promise.race([
        launcher.exited,
        new Promise<'timeout'>((resolve) => setTimeout(resolve, 15_000, 'timeout')),
      ]);
      expect(status, launcher.output()).toEqual({ code: 1, signal: null });
      expect(launcher.output()).toContain(
        'redis died (killed by SIGKILL); nothing works without it: stopping everything',
      );
      expect(launcher.output()).toMatch(
        /last output of redis:\n[\s\S]*Ready to accept connections/,
      );
      expect(children.filter((child) => isRunning(child.pid))).toEqual([]);
    } finally {
      await launcher.stop();
    }
  });
});

describe('baton dev without redis-server', () => {
  it('says how to get one and exits 1', () => {
    const result = spawnSync(process.execPath, [LAUNCHER_ENTRY, 'dev'], {
      env: { ...process.env, ...launcherEnvironment({ PORT: '1', PATH: '/nonexistent' }) },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'redis-server is not on PATH. Install it (apt-get install redis-server) or set REDIS_URL',
    );
  });
});
