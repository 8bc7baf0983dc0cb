import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import type {
  TranscriptChange,
  TranscriptSaveContext,
  TranscriptStorage,
} from '../transcript/transcript-storage.ts';

/**
 * The conformance suite of a `TranscriptStorage` (Trigger.dev's `runTranscriptStorageTests`), in
 * its own entry point (`@baton/sdk/testing/storage-conformance`) since it imports vitest:
 * call it at the top level of a vitest file with a factory of fresh storages, and it registers
 * the tests of the contract: appends and in-place replacement, idempotent `remove` and
 * `truncateAfter`, `state` round-trips, a changeset applied twice, paging, and chat isolation.
 *
 * @example
 * ```ts
 * import { runTranscriptStorageTests } from '@baton/sdk/testing/storage-conformance';
 * runTranscriptStorageTests(() => postgresTranscriptStorage(process.env.TEST_DATABASE_URL!));
 * ```
 */
export function runTranscriptStorageTests(
  createStorage: () => TranscriptStorage<unknown> | Promise<TranscriptStorage<unknown>>,
  options: { name?: string; clientData?: unknown } = {},
): void {
  let chats = 0;
  const newChat = () => `conformance-${Date.now().toString(36)}-${++chats}`;
  const clientData = options.clientData;
  const context = (chatId: string): TranscriptSaveContext<unknown> => ({
    chatId,
    clientData,
    turn: 0,
    trigger: 'submit-message',
    runId: 'conformance',
  });
  const message = (id: string, text = id): UIMessage => ({
    id,
    role: id.startsWith('u') ? 'user' : 'assistant',
    parts: [{ type: 'text', text }],
  });
  const put = (id: string, text = id, final = true): TranscriptChange => ({
    op: 'put',
    message: message(id, text),
    final,
  });
  const save = async (
    storage: TranscriptStorage<unknown>,
    chatId: string,
    changes: TranscriptChange[],
  ) =>
    storage.save(context(chatId), {
      reason: 'turn-complete',
      changes,
      transcript: { entries: [], state: null },
    });
  const ids = async (storage: TranscriptStorage<unknown>, chatId: string) =>
    (await storage.load({ chatId, clientData })).messages.map(({ id }) => id);

  describe(options.name ?? 'TranscriptStorage conformance', () => {
    it('appends new ids in order and replaces a known id in place', async () => {
      const storage = await createStorage();
      const chatId = newChat();
      await save(storage, chatId, [put('u1'), put('a1'), put('u2')]);
      await save(storage, chatId, [put('a1', 'edited')]);
      const loaded = await storage.load({ chatId, clientData });
      expect(loaded.messages.map(({ id }) => id)).toEqual(['u1', 'a1', 'u2']);
      expect(loaded.messages[1]?.parts).toEqual([{ type: 'text', text: 'edited' }]);
    });

    it('removes and truncates idempotently; unknown ids are no-ops', async () => {
      const storage = await createStorage();
      const chatId = newChat();
      await save(storage, chatId, [put('u1'), put('a1'), put('u2'), put('a2')]);
      const changes: TranscriptChange[] = [
        { op: 'remove', id: 'a1' },
        { op: 'truncateAfter', afterId: 'u2' },
        { op: 'remove', id: 'unknown' },
        { op: 'truncateAfter', afterId: 'unknown' },
      ];
      await save(storage, chatId, changes);
      await save(storage, chatId, changes);
      expect(await ids(storage, chatId)).toEqual(['u1', 'u2']);
    });

    it('gives the same rows when a changeset is applied twice', async () => {
      const storage = await createStorage();
      const chatId = newChat();
      await save(storage, chatId, [put('u1'), put('a1')]);
      const regenerate: TranscriptChange[] = [{ op: 'truncateAfter', afterId: 'u1' }, put('a2')];
      await save(storage, chatId, regenerate);
      await save(storage, chatId, regenerate);
      expect(await ids(storage, chatId)).toEqual(['u1', 'a2']);
    });

    it('keeps the state as given, and clears it with null', async () => {
      const storage = await createStorage();
      const chatId = newChat();
      const state = { locals: { profile: { name: 'Ada' } }, injections: [] };
      await save(storage, chatId, [put('u1'), { op: 'state', value: state }]);
      expect((await storage.load({ chatId, clientData })).state).toEqual(state);
      await save(storage, chatId, [{ op: 'state', value: null }]);
      expect((await storage.load({ chatId, clientData })).state).toBeNull();
    });

    it('pages from the most recent messages back with limit and before', async () => {
      const storage = await createStorage();
      const chatId = newChat();
      await save(
        storage,
        chatId,
        ['u1', 'a1', 'u2', 'a2', 'u3'].map((id) => put(id)),
      );
      const last = await storage.load({ chatId, clientData }, { limit: 2 });
      expect(last.messages.map(({ id }) => id)).toEqual(['a2', 'u3']);
      expect(last.nextCursor).toBe('a2');
      const before = await storage.load({ chatId, clientData }, { limit: 2, before: 'a2' });
      expect(before.messages.map(({ id }) => id)).toEqual(['a1', 'u2']);
      const first = await storage.load({ chatId, clientData }, { limit: 2, before: 'a1' });
      expect(first.messages.map(({ id }) => id)).toEqual(['u1']);
      expect(first.nextCursor).toBeUndefined();
    });

    it('keeps chats apart, and loads an unknown chat as empty', async () => {
      const storage = await createStorage();
      const [one, two] = [newChat(), newChat()];
      await save(storage, one, [put('u1')]);
      await save(storage, two, [put('u9')]);
      expect(await ids(storage, one)).toEqual(['u1']);
      expect(await ids(storage, two)).toEqual(['u9']);
      expect(await storage.load({ chatId: newChat(), clientData })).toMatchObject({ messages: [] });
    });
  });
}
