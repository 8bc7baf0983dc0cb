import type { BatonStack } from '@baton/testing';
import type { Redis } from 'ioredis';
import { holderIdOf, holderOf } from './chat-holder.ts';
import type { ChatTarget } from './chat-target.ts';
import { stalledAtEpochMs } from './queue-events.ts';
import { workerLogLines } from './worker-log.ts';

/** A stack under the recovery bench, and what its steps share. */
export type RecoveryContext = {
  stack: BatonStack;
  redis: Redis;
  target: ChatTarget;
  /** Every chat the bench opened on the stack, to count what a worker held when it died. */
  chatIds: string[];
};

/** One SIGKILL of the worker holding a chat mid-turn, and how the turn came back. */
export type KillSample = {
  killedWorker: string;
  /** The worker whose `chat claimed` followed the kill (its log), if one was found. */
  recoveredBy: string | undefined;
  /** Whether the recovering worker is the one started to replace the dead one. */
  isRecoveredByReplacement: boolean;
  /** Chats of this bench the killed worker held: the measured turn and warm ones. */
  heldChats: number;
  /** Just before the SIGKILL → the first chunk read after the gap (the recovering worker's). */
  firstChunkMs: number;
  firstChunkType: string;
  /** Just before the SIGKILL → the first `text-delta` of the recovered turn. */
  firstDeltaMs: number;
  /** Just before the SIGKILL → BullMQ's stalled check moved the run job back (its event). */
  stalledMs: number | undefined;
  /** Just before the SIGKILL → the `chat claimed` line of the recovering worker (wall clock). */
  claimMs: number | undefined;
  /**
   * The killed worker's `chat claimed` → the kill (wall clock): how old the run's BullMQ job was,
   * which sets how much of its lock (renewed about every second) was left.
   */
  jobAgeAtKillMs: number | undefined;
  /** The claim found the dead worker's lease still live and waited this long (its log). */
  leaseWaitMs: number | undefined;
  /** Chunks the dead worker had written that were read after the kill, before the gap. */
  inFlightChunks: number;
  /** Just before the SIGKILL → end of the response body (after `data: [DONE]`). */
  killToDoneMs: number;
};

/** Text deltas read before the kill: the turn is surely under way, far from its end. */
const DELTAS_BEFORE_KILL = 3;
/**
 * Silence that marks the recovery gap. The dead worker's last chunks may still arrive just after
 * the kill; the demo model paces its deltas 20 ms apart; a takeover waits for the run's BullMQ
 * lock (the lease, 500 ms at the least) to expire.
 */
const GAP_MS = 250;
/** The agent of `batonTarget`'s chats (`createSession`'s default): its run queue's events. */
const AGENT_ID = 'demo';

/**
 * Starts a turn on a fresh chat, SIGKILLs the worker holding it once a few deltas arrived, starts
 * a replacement (as an orchestrator would) and reads on the same SSE response until the turn
 * completes. The reply is checked (`BenchChat.send`): the recovered turn must end as an
 * uninterrupted one.
 */
export async function measureKillRecovery(
  context: RecoveryContext,
  message: string,
): Promise<KillSample> {
  const { stack, redis } = context;
  const chat = await context.target.openChat();
  context.chatIds.push(chat.chatId);
  const chunks: { type: string; atMs: number }[] = [];
  let deltaCount = 0;
  let onDeltas = () => {};
  const deltasRead = new Promise<'deltas'>((resolve) => {
    onDeltas = () => resolve('deltas');
  });
  const sending = chat.send(message, {
    onChunk: (chunk, atMs) => {
      chunks.push({ type: chunk.type, atMs });
      if (chunk.type === 'text-delta' && ++deltaCount === DELTAS_BEFORE_KILL) onDeltas();
    },
  });
  const first = await Promise.race([deltasRead, sending.then(() => 'ended' as const)]);
  if (first === 'ended') throw new Error(`the turn of chat ${chat.chatId} ended before the kill`);

  const victim = await holderOf(redis, stack.workers, chat.chatId);
  const killedAtMs = performance.now();
  const killedAtEpochMs = Date.now();
  const killed = victim.kill();
  const replacing = stack.startWorker();
  // The session hash still names the dead holder until a new claim, a second away at least.
  const holders = await Promise.all(context.chatIds.map((chatId) => holderIdOf(redis, chatId)));
  const heldChats = holders.filter((holder) => holder === victim.name).length;
  const [trace, , replacement] = await Promise.all([sending, killed, replacing]);

  const recovered = firstAfterGap(chunks, killedAtMs);
  if (!recovered) {
    throw new Error(
      `chat ${chat.chatId}: no chunk after a gap following the kill of ${victim.name}`,
    );
  }
  const firstDelta = chunks.find(
    (chunk) => chunk.type === 'text-delta' && chunk.atMs >= recovered.chunk.atMs,
  );
  const chatLines = workerLogLines(stack.workers).filter((line) => line.chatId === chat.chatId);
  const deadClaim = chatLines.findLast(
    (line) => line.message === 'chat claimed' && line.timeMs < killedAtEpochMs,
  );
  const afterKill = chatLines.filter((line) => line.timeMs >= killedAtEpochMs);
  const claim = afterKill.find((line) => line.message === 'chat claimed');
  const leaseWait = afterKill.find(
    (line) => line.message === 'waiting for the previous lease to expire',
  )?.fields.retryAfterMs;
  const stalledAt = await stalledAtEpochMs(redis, {
    agentId: AGENT_ID,
    chatId: chat.chatId,
    sinceEpochMs: killedAtEpochMs,
  });
  return {
    killedWorker: victim.name,
    recoveredBy: claim?.worker,
    isRecoveredByReplacement: claim?.worker === replacement.name,
    heldChats,
    firstChunkMs: recovered.chunk.atMs - killedAtMs,
    firstChunkType: recovered.chunk.type,
    firstDeltaMs: (firstDelta?.atMs ?? Number.NaN) - killedAtMs,
    stalledMs: stalledAt === undefined ? undefined : stalledAt - killedAtEpochMs,
    claimMs: claim ? claim.timeMs - killedAtEpochMs : undefined,
    jobAgeAtKillMs: deadClaim ? killedAtEpochMs - deadClaim.timeMs : undefined,
    leaseWaitMs: typeof leaseWait === 'number' ? leaseWait : undefined,
    inFlightChunks: recovered.index - chunks.filter((chunk) => chunk.atMs <= killedAtMs).length,
    killToDoneMs: trace.endedAtMs - killedAtMs,
  };
}

/** The first chunk read after the kill that follows a silence of `GAP_MS`, and its index. */
function firstAfterGap(
  chunks: readonly { type: string; atMs: number }[],
  killedAtMs: number,
): { chunk: { type: string; atMs: number }; index: number } | undefined {
  let previousAtMs = killedAtMs;
  for (const [index, chunk] of chunks.entries()) {
    if (chunk.atMs <= killedAtMs) continue;
    if (chunk.atMs - previousAtMs >= GAP_MS) return { chunk, index };
    previousAtMs = chunk.atMs;
  }
  return undefined;
}
