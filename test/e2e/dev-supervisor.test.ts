import type { CreateSessionResponse } from '@baton/protocol';
import { chatKeys } from '@baton/redis';
import { createGatewayChat, freePort, type NodeChat, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childProcessesOf,
  type DevLauncher,
  isRunning,
  startDevLauncher,
  workerIdOf,
} from './dev-launcher.ts';

// Issue 11, section 3: the product's headline, "kill a worker, nothing is lost", shown with its
// own quick start. A worker SIGKILLed mid-turn under `baton dev` is reported in one line and
// restarted; the gateway keeps serving, another worker takes the chat over, the launcher says so,
// and the client's answer completes through the same URL.

/** About 60 words at 30 ms each: the answer streams for about two seconds, time to kill. */
const STORY = Array.from({ length: 60 }, (_, index) => `story${index}`).join(' ');
/** About 200 words: the answer streams for about six seconds. */
const LONG_STORY = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');
const REDIS_LINE = /Redis {7}(redis:\/\/\S+)/;

let launcher: DevLauncher;
let redis: Redis;

beforeAll(async () => {
  launcher = await startDevLauncher({
    PORT: String(await freePort()),
    BATON_WORKERS: '2',
    BATON_DEMO_DELAY_MS: '30',
  });
  redis = new Redis(REDIS_LINE.exec(launcher.output())?.[1] ?? '');
});

afterAll(async () => {
  redis?.disconnect();
  await launcher?.stop();
});

describe('baton dev when a worker dies', () => {
  it('reports the death, shows the takeover, restarts it, and the chat goes on', async () => {
    const session = await createPlaygroundSession();
    const chat = openChat(session);
    const sending = chat.sendMessage({ text: STORY });
    await whenAnswerStreams(chat);

    const holder = await redis.hget(chatKeys(session.chatId).session, 'holder');
    const dead = childProcessesOf(launcher.pid).find((child) => workerIdOf(child.pid) === holder);
    expect(dead, `a worker process named ${holder}`).toBeDefined();
    process.kill(dead!.pid, 'SIGKILL');

    await sending;
    expect(chat.status).toBe('ready');
    expect(textOf(chat.lastMessage)).toContain(`Turn 1: you said "${STORY}"`);
    await waitUntil(() => /taken over by|suspended after/.test(launcher.output()), {
      description: 'the launcher reports the recovery',
      timeoutMs: 15_000,
    });
    const output = launcher.output();
    expect(output).toContain(`${holder} died (SIGKILL); it held chats ${session.chatId}`);
    expect(output).toMatch(
      new RegExp(`${session.chatId} taken over by worker-\\d after \\d+\\.\\d s`),
    );
    expect(output).not.toContain('stopping everything');

    await chat.sendMessage({ text: 'still there?' });
    expect(textOf(chat.lastMessage)).toBe(
      'Turn 2: you said "still there?". I have seen 2 user messages.',
    );

    await waitUntil(
      () =>
        childProcessesOf(launcher.pid).some(
          (child) => child.pid !== dead!.pid && workerIdOf(child.pid) === holder,
        ),
      { description: `a new ${holder} process runs`, timeoutMs: 15_000 },
    );
    expect(isRunning(dead!.pid)).toBe(false);
    // "restarted" is said once the new process is ready, not when it was spawned.
    await waitUntil(
      () =>
        new RegExp(`${holder} restarted \\(pid \\d+\\), ready in \\d+\\.\\d s`).test(
          launcher.output(),
        ),
      { description: `the launcher says ${holder} is ready again`, timeoutMs: 15_000 },
    );
    expect(launcher.hasExited).toBe(false);
  });

  it('stops cleanly on Ctrl-C while a restart waits out its backoff', async () => {
    // A turn in flight on one worker makes the stop last seconds (the worker drains it), longer
    // than the backoff of the other worker, killed just before Ctrl-C: no restart may begin then.
    const session = await createPlaygroundSession();
    const chat = openChat(session);
    const sending = chat.sendMessage({ text: LONG_STORY });
    await whenAnswerStreams(chat);
    const holder = await redis.hget(chatKeys(session.chatId).session, 'holder');
    const other = childProcessesOf(launcher.pid).find((child) => {
      const workerId = workerIdOf(child.pid);
      return workerId !== undefined && workerId !== holder;
    });
    expect(other, `a worker other than ${holder}`).toBeDefined();
    const name = workerIdOf(other!.pid);
    const deathLines = () => launcher.output().split(`${name} died (SIGKILL)`).length - 1;
    const deathsBefore = deathLines();
    process.kill(other!.pid, 'SIGKILL');
    await waitUntil(() => deathLines() > deathsBefore, {
      description: `the launcher reports the death of ${name}`,
    });

    const children = childProcessesOf(launcher.pid);
    launcher.signal('SIGINT');
    const status = await Promise.race([
      launcher.exited,
      new Promise<'timeout'>((resolve) => setTimeout(resolve, 20_000, 'timeout')),
    ]);
    await sending;
    expect(status, launcher.output()).toEqual({ code: 0, signal: null });
    const afterStop = launcher.output().slice(launcher.output().lastIndexOf('stopping (SIGINT)'));
    expect(afterStop).not.toContain(`${name} restarted`);
    expect(children.filter((child) => isRunning(child.pid))).toEqual([]);
  });
});

async function createPlaygroundSession(): Promise<CreateSessionResponse> {
  const response = await fetch(`${launcher.url}/playground/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'demo' }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreateSessionResponse;
}

/** The stock AI SDK client, through the URL of the launcher's banner. */
function openChat(session: CreateSessionResponse): NodeChat {
  return createGatewayChat({
    gatewayUrl: launcher.url,
    chatId: session.chatId,
    token: session.token,
  });
}

async function whenAnswerStreams(chat: NodeChat): Promise<void> {
  await waitUntil(
    () => chat.lastMessage?.role === 'assistant' && textOf(chat.lastMessage).length > 20,
    { description: 'the answer streams', timeoutMs: 15_000, intervalMs: 5 },
  );
}
