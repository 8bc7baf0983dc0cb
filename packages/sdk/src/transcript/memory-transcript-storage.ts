import type { UIMessage } from 'ai';
import type {
  LoadedTranscript,
  TranscriptChangeset,
  TranscriptSaveContext,
  TranscriptStorage,
} from './transcript-storage.ts';

type StoredChat = {
  messages: Array<{ message: UIMessage; final: boolean }>;
  state: unknown | null;
};

/** The reference `TranscriptStorage`, in memory (Trigger.dev's `memoryTranscriptStorage`). */
export type MemoryTranscriptStorage = TranscriptStorage<unknown> & {
  /** Every changeset saved, in order, with its context: what the runtime handed the storage. */
  readonly saves: Array<{
    context: TranscriptSaveContext<unknown>;
    changeset: TranscriptChangeset;
  }>;
  /** A chat's stored rows, with their `final` flags. */
  rows(chatId: string): Array<{ message: UIMessage; final: boolean }>;
};

/**
 * A storage in memory that applies changes exactly as the contract says: `put` upserts in place
 * or appends, `remove` and `truncateAfter` are no-ops for unknown ids, `state` replaces. For tests,
 * and as the model for an adapter over a real database (docs/agents/transcript-storage.md).
 */
export function memoryTranscriptStorage(): MemoryTranscriptStorage {
  const chats = new Map<string, StoredChat>();
  const saves: MemoryTranscriptStorage['saves'] = [];
  const chatOf = (chatId: string): StoredChat => {
    let chat = chats.get(chatId);
    if (!chat) {
      chat = { messages: [], state: null };
      chats.set(chatId, chat);
    }
    return chat;
  };
  return {
    saves,
    rows: (chatId) => structuredClone(chats.get(chatId)?.messages ?? []),
    async load(scope, options = {}): Promise<LoadedTranscript> {
      const chat = chats.get(scope.chatId);
      if (!chat) return { messages: [], state: null };
      let messages = chat.messages.map(({ message }) => message);
      if (options.before !== undefined) {
        const index = messages.findIndex((message) => message.id === options.before);
        messages = index === -1 ? [] : messages.slice(0, index);
      }
      if (options.limit === undefined || messages.length <= options.limit) {
        return { messages: structuredClone(messages), state: structuredClone(chat.state) };
      }
      const page = messages.slice(-options.limit);
      return {
        messages: structuredClone(page),
        state: structuredClone(chat.state),
        ...(page[0] ? { nextCursor: page[0].id } : {}),
      };
    },
    async save(context, changeset) {
      saves.push({ context, changeset: structuredClone(changeset) });
      const chat = chatOf(context.chatId);
      for (const change of changeset.changes) {
        switch (change.op) {
          case 'put': {
            const row = { message: structuredClone(change.message), final: change.final };
            const index = chat.messages.findIndex(
              ({ message }) => message.id === change.message.id,
            );
            if (index === -1) chat.messages.push(row);
            else chat.messages[index] = row;
            break;
          }
          case 'remove':
            chat.messages = chat.messages.filter(({ message }) => message.id !== change.id);
            break;
          case 'truncateAfter': {
            const index = chat.messages.findIndex(({ message }) => message.id === change.afterId);
            if (index !== -1) chat.messages = chat.messages.slice(0, index + 1);
            break;
          }
          case 'state':
            chat.state = structuredClone(change.value);
            break;
        }
      }
    },
  };
}
