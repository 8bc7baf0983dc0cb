import { existsSync } from 'node:fs';
import { freePort } from '@baton/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevLauncher, startDevLauncher } from './dev-launcher.ts';

/**
 * Debian's Chromium (`apt-get install chromium`, see .ci/run): Playwright's own browser download
 * is unreachable on CI machines.
 */
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT_PATH = '/tmp/playground.png';
const STEP_TIMEOUT_MS = 15_000;

// The playground in a real browser against the whole system as `pnpm start` runs it: the stock
// `useChat` over the Baton transport, and a reload that restores the chat from the server.
describe('the web playground', () => {
  let launcher: DevLauncher | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `${CHROMIUM_PATH} is missing: install Debian's Chromium (apt-get install -y chromium) ` +
          'to run the browser tests',
      );
    }
    const port = await freePort();
    [launcher, browser] = await Promise.all([
      startDevLauncher({ PORT: String(port), BATON_DEMO_DELAY_MS: '5' }),
      chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await launcher?.stop();
  });

  it('chats, and restores the conversation after a reload', async () => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 700 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(launcher!.url);
    await send(page, 'hello');
    await assistantMessage(page, 'Turn 1: you said "hello". I have seen 1 user messages.').waitFor({
      timeout: STEP_TIMEOUT_MS,
    });
    await waitUntilReady(page);

    await send(page, 'and again');
    await assistantMessage(page, 'Turn 2: you said "and again".').waitFor({
      timeout: STEP_TIMEOUT_MS,
    });
    await assistantMessage(page, 'seen 2 user messages').waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitUntilReady(page);

    const chatUrl = new URL(page.url());
    expect(chatUrl.searchParams.get('chat')).toMatch(/^chat-/);
    await page.reload();
    await assistantMessage(page, 'seen 2 user messages').waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(page.url()).toBe(chatUrl.href);
    expect(await page.getByTestId('message-user').allInnerTexts()).toEqual([
      expect.stringContaining('hello'),
      expect.stringContaining('and again'),
    ]);
    const answers = await page.getByTestId('message-assistant').allInnerTexts();
    expect(answers).toHaveLength(2);
    expect(answers[0]).toContain('Turn 1: you said "hello". I have seen 1 user messages.');
    expect(answers[1]).toContain('Turn 2: you said "and again". I have seen 2 user messages.');

    await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click({ timeout: STEP_TIMEOUT_MS });
}

function assistantMessage(page: Page, text: string) {
  return page.getByTestId('message-assistant').filter({ hasText: text });
}

/** The turn's stream has closed: `useChat` is ready for the next message. */
async function waitUntilReady(page: Page): Promise<void> {
  await page
    .getByTestId('status')
    .filter({ hasText: 'Status: ready' })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}
