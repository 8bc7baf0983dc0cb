import type { SessionStatus } from '@baton/protocol';
import { defineScripts, errorFromScriptCode } from '@baton/redis';
import type { RedisSessionStore } from './redis-session-store.ts';

/** What a preload did: the run sequence to enqueue, or why no run was started. */
export type PreloadResult =
  | { isPreloaded: true; runSeqToEnqueue: number; agentId: string }
  | {
      isPreloaded: false;
      agentId: string;
      /** The chat's status: a run holds or awaits it (`queued`, `running`), or it suspended. */
      status: SessionStatus;
      turns: number;
    };

/**
 * Preloads a chat (Trigger.dev's `transport.preload`): starts a run before its first message, so
 * that the agent boots and runs `onPreload` while the user types. Only a chat that never ran is
 * preloaded (preload-session.lua); a second preload, or one that lost the race to the first
 * message, starts nothing. The caller enqueues `runSeqToEnqueue` as a message append's caller
 * does.
 *
 * Like a message append, the chat is marked in the custody index in the same round trip, before
 * the script lands, so that a gateway that dies before its enqueue leaves the chat to the
 * reconciler. No replica acknowledgement: a preload a failover undoes costs only the warm start
 * (its job finds a run sequence the replica never saw, and exits as stale); the first message
 * then starts the chat's run as usual.
 */
export async function preloadSession(
  store: RedisSessionStore,
  input: { chatId: string; clientData?: Record<string, unknown>; now?: number },
): Promise<PreloadResult> {
  const keys = store.keys(input.chatId);
  const now = input.now ?? Date.now();
  const [, reply] = await Promise.all([
    store.custody.mark(input.chatId, now),
    defineScripts(store.redis).run(
      'preloadSession',
      [keys.session, keys.input, keys.output, keys.messages],
      [now, now, input.clientData ? JSON.stringify(input.clientData) : ''],
    ),
  ]);
  if (reply[0] < 0) {
    throw errorFromScriptCode(reply[0], { chatId: input.chatId, script: 'preloadSession' });
  }
  const runSeq = Number(reply[1]);
  const agentId = String(reply[2]);
  if (runSeq > 0) return { isPreloaded: true, runSeqToEnqueue: runSeq, agentId };
  return {
    isPreloaded: false,
    agentId,
    status: String(reply[3]) as SessionStatus,
    turns: Number(reply[4]),
  };
}
