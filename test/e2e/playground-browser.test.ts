import { freePort, REPOSITORY_ROOT } from '@baton/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';
import { type DevLauncher, startDevLauncher } from './dev-launcher.ts';

const SCREENSHOT_PATH = '/tmp/playground.png';
const APPROVAL_SCREENSHOT_PATH = '/tmp/playground-approval.png';
const APPROVED_SCREENSHOT_PATH = '/tmp/playground-approved.png';
const APPROVAL_REASON = 'Booking a table needs your approval.';
const CLOSING_AGENT = `${import.meta.dirname}/fixtures/closing-agent.ts`;
const STEP_TIMEOUT_MS = 15_000;

// The playground in a real browser against the whole system as `pnpm start` runs it: the stock
// `useChat` over the Baton transport, and a reload that restores the chat from the server.
describe('the web playground', () => {
  let launcher: DevLauncher | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const port = await freePort();
    [launcher, browser] = await Promise.all([
      // The demo agents and a custom agent of the tests': the page offers both.
      startDevLauncher({
        PORT: String(port),
        BATON_DEMO_DELAY_MS: '5',
        BATON_AGENTS: `${REPOSITORY_ROOT}apps/demo/src/agents.ts,${CLOSING_AGENT}`,
        BATON_WATCH: 'off',
      }),
      launchChromium(),
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

  it('offers every agent the workers host, and chats with the one picked', async () => {
    const { page, pageErrors } = await openPage();
    const picker = page.getByRole('combobox', { name: 'Agent' });
    await picker.waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await picker.locator('option').allInnerTexts()).toEqual(['closing', 'demo']);
    expect(await picker.inputValue()).toBe('demo');
    const demoChat = new URL(page.url()).searchParams.get('chat');

    await picker.selectOption('closing');
    await page.waitForURL((url) => url.searchParams.get('agent') === 'closing', {
      timeout: STEP_TIMEOUT_MS,
    });
    const closingChat = new URL(page.url()).searchParams.get('chat');
    expect(closingChat).toMatch(/^chat-/);
    expect(closingChat).not.toBe(demoChat);
    await send(page, 'hello');
    await assistantMessage(page, 'Turn 1: you said "hello".').waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitUntilReady(page);

    await page.reload();
    await assistantMessage(page, 'Turn 1: you said "hello".').waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await page.getByRole('combobox', { name: 'Agent' }).inputValue()).toBe('closing');
    expect(pageErrors).toEqual([]);
  });

  // The demo agent's `bookTable` waits for the user's approval (`toolApproval`): the page shows the
  // request with Approve and Deny, and `useChat` sends the answer back by itself.
  describe('a tool approval', () => {
    it('runs the tool once approved, and the agent answers with its result', async () => {
      const { page, pageErrors } = await openPage();

      await send(page, 'Book a table for 4 at Chez Marie at 8pm');
      const booking = await approvalRequest(page);
      expect(await booking.textContent()).toContain(
        '{"restaurant":"Chez Marie","guests":4,"time":"8pm"}',
      );
      await page.screenshot({ path: APPROVAL_SCREENSHOT_PATH, fullPage: true });

      await page.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_TIMEOUT_MS });
      const answer = assistantMessage(page, 'Your table for 4 at Chez Marie at 8pm is booked');
      await answer.waitFor({ timeout: STEP_TIMEOUT_MS });
      await waitUntilReady(page);

      const confirmation = /confirmation (BT-[0-9A-Z]{6})\./.exec(
        (await answer.textContent()) ?? '',
      )?.[1];
      expect(confirmation).toBeDefined();
      expect(await booking.locator('.tool-state').textContent()).toBe('output-available');
      expect(await booking.locator('.tool-result').textContent()).toContain(
        `"status":"confirmed","confirmation":"${confirmation}"`,
      );
      expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      await page.screenshot({ path: APPROVED_SCREENSHOT_PATH, fullPage: true });
      // The continuation extends the assistant message that asked: one request, one answer.
      expect(await page.getByTestId('message-assistant').count()).toBe(1);
      expect(pageErrors).toEqual([]);
    });

    it('does not run a denied tool, and the agent acknowledges the denial', async () => {
      const { page, pageErrors } = await openPage();

      await send(page, 'book a table');
      const booking = await approvalRequest(page);
      await page.getByRole('button', { name: 'Deny' }).click({ timeout: STEP_TIMEOUT_MS });
      await assistantMessage(page, 'You denied the booking, so no table was booked.').waitFor({
        timeout: STEP_TIMEOUT_MS,
      });
      await waitUntilReady(page);

      expect(await booking.locator('.tool-state').textContent()).toBe('output-denied');
      expect(await booking.locator('.tool-result').allInnerTexts()).toEqual(['denied']);
      expect(await page.getByTestId('message-assistant').allInnerTexts()).toEqual([
        expect.not.stringContaining('confirmation'),
      ]);
      expect(pageErrors).toEqual([]);
    });

    it('shows a pending request again after a reload, and approving it still works', async () => {
      const { page, pageErrors } = await openPage();

      await send(page, 'Book a table for 2 at Luigi at 7pm');
      await approvalRequest(page);
      await page.reload();
      const booking = await approvalRequest(page);
      expect(await booking.textContent()).toContain(
        '{"restaurant":"Luigi","guests":2,"time":"7pm"}',
      );

      await page.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_TIMEOUT_MS });
      await assistantMessage(page, 'Your table for 2 at Luigi at 7pm is booked').waitFor({
        timeout: STEP_TIMEOUT_MS,
      });
      await waitUntilReady(page);
      expect(await booking.locator('.tool-state').textContent()).toBe('output-available');
      expect(await page.getByTestId('message-assistant').count()).toBe(1);
      expect(pageErrors).toEqual([]);
    });
  });

  /** A new page on a new chat (each page has its own `sessionStorage`), recording page errors. */
  async function openPage(): Promise<{ page: Page; pageErrors: string[] }> {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 700 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(launcher!.url);
    return { page, pageErrors };
  }
});

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click({ timeout: STEP_TIMEOUT_MS });
}

function assistantMessage(page: Page, text: string) {
  return page.getByTestId('message-assistant').filter({ hasText: text });
}

/**
 * The `bookTable` call waiting for an answer, once its turn has ended: the request's reason and
 * both buttons are shown, and the tool has not run.
 */
async function approvalRequest(page: Page) {
  const booking = page.getByTestId('tool-bookTable');
  await booking.getByRole('button', { name: 'Approve' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await waitUntilReady(page);
  expect(await booking.locator('.tool-state').textContent()).toBe('approval-requested');
  expect(await booking.textContent()).toContain(APPROVAL_REASON);
  expect(await booking.getByRole('button', { name: 'Deny' }).isEnabled()).toBe(true);
  expect(await booking.locator('.tool-result').count()).toBe(0);
  return booking;
}

/** The turn's stream has closed: `useChat` is ready for the next message. */
async function waitUntilReady(page: Page): Promise<void> {
  await page
    .getByTestId('status')
    .filter({ hasText: 'Status: ready' })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}
