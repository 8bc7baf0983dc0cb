import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { chatKeys } from '@baton/redis';
import { type BatonStack, DEMO_AGENTS, startBatonStack, textOf, waitUntil } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Through real processes: a chat.agent with `storage` writes every change of its conversation to
// the app's own database (SQLite here, one row per message), across turns, idle suspends, a
// worker stopped between turns and a regeneration; the rows end equal to Baton's own history.

let stack: BatonStack;
let redis: Redis;
let directory: string;
let databasePath: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'baton-transcript-'));
  databasePath = join(directory, 'chats.db');
  stack = await startBatonStack({
    workers: 2,
    workerEnv: {
      BATON_AGENTS: `${DEMO_AGENTS},${new URL('./fixtures/transcript-agent.ts', import.meta.url).pathname}`,
      BATON_IDLE_TIMEOUT_SECONDS: '0',
      TRANSCRIPT_DB: databasePath,
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

type Row = { id: string; final: number; message: string };

function rowsOf(chatId: string): Array<{ id: string; final: boolean; text: string }> {
  const db = new DatabaseSync(databasePath, { readOnly: true });
  try {
    const rows = db
      .prepare('SELECT id, final, message FROM chat_messages WHERE chat_id = ? ORDER BY position')
      .all(chatId) as Row[];
    return rows.map((row) => ({
      id: row.id,
      final: row.final === 1,
      text: textOf(JSON.parse(row.message)),
    }));
  } finally {
    db.close();
  }
}

async function untilSuspended(chatId: string): Promise<void> {
  await waitUntil(
    async () => (await redis.hget(chatKeys(chatId).session, 'status')) === 'suspended',
    { description: 'the chat suspends', timeoutMs: 10_000 },
  );
}

describe('transcript storage through the stack', () => {
  it('mirrors every turn, on two workers across suspends, and a regeneration into the app database', async () => {
    const session = await stack.createSession('transcript');
    const chat = stack.openChat(session);
    const body = { userId: 'ada' };

    await chat.sendMessage({ text: 'one' }, { body });
    await untilSuspended(session.chatId);
    await stack.workers[0]?.stop();
    await chat.sendMessage({ text: 'two' }, { body });
    await untilSuspended(session.chatId);
    await chat.regenerate({ body });
    await untilSuspended(session.chatId);

    const persisted = await stack.fetchMessages(session);
    expect(persisted.filter(({ role }) => role === 'user').map(textOf)).toEqual(['one', 'two']);
    // Saves are awaited before the chat suspends: the rows are there once it did.
    expect(rowsOf(session.chatId)).toEqual(
      persisted.map((message) => ({ id: message.id, final: true, text: textOf(message) })),
    );
    // The regenerated answer replaced the old one: no row of it is left.
    expect(rowsOf(session.chatId)).toHaveLength(4);
  });
});
