import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  REPOSITORY_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '@baton/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../e2e/chromium.ts';
import { type DevLauncher, startDevLauncher } from '../e2e/dev-launcher.ts';
import { run } from './packed-workspace.ts';

// examples/nextjs-chat as a user runs it: copied out of the repository, its @baton packages
// installed from the packed tarballs, built with `next build`, started with `next start`, and
// driven in Chromium against a Baton that allows its origin (BATON_CORS_ORIGINS).

const SECRET = 'a-secret-of-the-nextjs-example';
const STEP_TIMEOUT_MS = 20_000;
const TOKEN_TTL_SECONDS = 2;

describe('examples/nextjs-chat', () => {
  let app: string;
  let origin: string;
  let gatewayUrl: string;
  let launcher: DevLauncher | undefined;
  let next: ServiceProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'baton-nextjs-chat-'));
    cpSync(join(REPOSITORY_ROOT, 'examples', 'nextjs-chat'), app, {
      recursive: true,
      filter: (source) => !/\/(node_modules|\.next)(\/|$)/.test(source),
    });
    // The example names the tarballs `pnpm pack-packages` writes; these are this run's.
    const manifestPath = join(app, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const { name, tarball } of inject('packedPackages')) {
      if (manifest.dependencies[name] !== undefined)
        manifest.dependencies[name] = `file:${tarball}`;
    }
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
    const environment = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    await run(join(app, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: app,
      env: environment,
    });

    const [gatewayPort, appPort] = [await freePort(), await freePort()];
    origin = `http://127.0.0.1:${appPort}`;
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    [launcher, next, browser] = await Promise.all([
      startDevLauncher({
        PORT: String(gatewayPort),
        BATON_SECRET: SECRET,
        BATON_CORS_ORIGINS: origin,
        BATON_DEMO_DELAY_MS: '5',
        // Tokens that expire within the test: the page must renew them through the server action.
        BATON_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
      }),
      startServiceProcess({
        name: 'next start',
        script: join(app, 'node_modules', 'next', 'dist', 'bin', 'next'),
        args: ['start', '--port', String(appPort), '--hostname', '127.0.0.1'],
        cwd: app,
        env: {
          NEXT_TELEMETRY_DISABLED: '1',
          BATON_URL: gatewayUrl,
          BATON_SECRET: SECRET,
          PORT: undefined,
        },
        readyUrl: origin,
        readyTimeoutMs: 60_000,
      }),
      launchChromium(),
    ]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await next?.stop();
    await launcher?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('opens a chat with a server action, streams it with useChat, renews its token, and keeps it across a reload', async () => {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(origin);

    await send(page, 'hello from Next.js');
    await answer(page, 'Turn 1: you said "hello from Next.js". I have seen 1 user messages.');
    const chatId = new URL(page.url()).searchParams.get('chat');
    expect(chatId).toMatch(/^chat-/);

    // The token the page opened the chat with has expired by now.
    await page.waitForTimeout(TOKEN_TTL_SECONDS * 1000 + 500);
    await send(page, 'with a renewed token');
    await answer(page, 'Turn 2: you said "with a renewed token". I have seen 2 user messages.');

    await page.reload();
    await answer(page, 'Turn 2: you said "with a renewed token".');
    expect(new URL(page.url()).searchParams.get('chat')).toBe(chatId);
    await send(page, 'and after a reload');
    await answer(page, 'Turn 3: you said "and after a reload". I have seen 3 user messages.');
    expect(await page.locator('li[data-role="user"]').count()).toBe(3);

    // Closed by the app's server: the next visit opens a new chat instead of a dead one.
    const closed = await fetch(`${gatewayUrl}/v1/sessions/${chatId}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(closed.status).toBe(200);
    await page.reload();
    await page.waitForURL((url) => url.searchParams.get('chat') !== chatId, {
      timeout: STEP_TIMEOUT_MS,
    });
    await send(page, 'a new chat');
    await answer(page, 'Turn 1: you said "a new chat". I have seen 1 user messages.');
    expect(pageErrors).toEqual([]);
  });
});

async function send(page: Page, text: string): Promise<void> {
  await page.locator('section[data-status="ready"]').waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

async function answer(page: Page, text: string): Promise<void> {
  await page
    .locator('li[data-role="assistant"]', { hasText: text })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}
