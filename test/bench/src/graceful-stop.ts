import type { ServiceProcess } from '@baton/testing';
import { holderOf } from './chat-holder.ts';
import type { RecoveryContext } from './kill-recovery.ts';
import { workerLogLines } from './worker-log.ts';

/** One SIGTERM of a worker and how long it took to exit. */
export type StopSample = {
  kind: 'idle' | 'mid-turn';
  worker: string;
  /** Just before the SIGTERM → the process exited. */
  exitMs: number;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Chats the worker held when it began to drain (its `draining` log line). */
  heldChats: number | undefined;
  /** Mid-turn: end of the turn's response body, as the client read it → the process exited. */
  turnEndToExitMs?: number;
  /** Mid-turn: the turn was recovered (a `reset-step`) rather than finished by its worker. */
  wasRecovered?: boolean;
};

/** Chats warmed per idle stop; the worker holding the most of them is stopped. */
const WARM_CHATS = 3;
/** Text deltas read before a mid-turn SIGTERM. */
const DELTAS_BEFORE_STOP = 3;
/**
 * SIGKILL only after this: beyond the worker's default drain timeout (30 s), so a drain that
 * hangs shows as an exit by signal, never as a slow clean exit.
 */
const STOP_GRACE_MS = 60_000;
const CONTINUATION_MESSAGE = 'Are you still there after the deploy?';

/**
 * SIGTERM to a worker that holds warm chats (each finished a turn and waits in its idle timeout)
 * and runs none: it hands them over and exits. Each chat it held must then answer its next
 * message from another worker.
 */
export async function measureIdleStop(
  context: RecoveryContext,
  message: string,
): Promise<StopSample> {
  const { stack, redis } = context;
  // The replacement first, as a rolling deploy starts it: no booting process competes for the
  // CPU with the measured drain.
  await stack.startWorker();
  const chats = await Promise.all(
    Array.from({ length: WARM_CHATS }, () => context.target.openChat()),
  );
  context.chatIds.push(...chats.map((chat) => chat.chatId));
  await Promise.all(chats.map((chat) => chat.send(message)));
  const holders = await Promise.all(
    chats.map((chat) => holderOf(redis, stack.workers, chat.chatId)),
  );
  const victim = mostFrequent(holders);
  const { sample } = await stopWorker(victim, 'idle');
  await Promise.all(
    chats
      .filter((_, index) => holders[index] === victim)
      .map((chat) => chat.send(CONTINUATION_MESSAGE)),
  );
  return sample;
}

/**
 * SIGTERM to the worker running a turn, a few deltas in: it finishes the turn, hands the chat
 * over and exits. The turn must end whole on the same response, and the chat answer its next
 * message from another worker.
 */
export async function measureMidTurnStop(
  context: RecoveryContext,
  message: string,
): Promise<StopSample> {
  const { stack, redis } = context;
  await stack.startWorker();
  const chat = await context.target.openChat();
  context.chatIds.push(chat.chatId);
  let deltaCount = 0;
  let wasRecovered = false;
  let onDeltas = () => {};
  const deltasRead = new Promise<'deltas'>((resolve) => {
    onDeltas = () => resolve('deltas');
  });
  const sending = chat.send(message, {
    onChunk: (chunk) => {
      if (chunk.type === 'reset-step') wasRecovered = true;
      if (chunk.type === 'text-delta' && ++deltaCount === DELTAS_BEFORE_STOP) onDeltas();
    },
  });
  const first = await Promise.race([deltasRead, sending.then(() => 'ended' as const)]);
  if (first === 'ended') throw new Error(`the turn of chat ${chat.chatId} ended before the stop`);
  const victim = await holderOf(redis, stack.workers, chat.chatId);
  const [trace, { sample, signalledAtMs }] = await Promise.all([
    sending,
    stopWorker(victim, 'mid-turn'),
  ]);
  await chat.send(CONTINUATION_MESSAGE);
  return {
    ...sample,
    turnEndToExitMs: signalledAtMs + sample.exitMs - trace.endedAtMs,
    wasRecovered,
  };
}

async function stopWorker(
  worker: ServiceProcess,
  kind: StopSample['kind'],
): Promise<{ sample: StopSample; signalledAtMs: number }> {
  const signalledAtMs = performance.now();
  const status = await worker.stop(STOP_GRACE_MS);
  const exitMs = performance.now() - signalledAtMs;
  const heldChats = workerLogLines([worker]).findLast((line) => line.message === 'draining')?.fields
    .heldChats;
  const sample: StopSample = {
    kind,
    worker: worker.name,
    exitMs,
    exitCode: status.code,
    exitSignal: status.signal,
    heldChats: typeof heldChats === 'number' ? heldChats : undefined,
  };
  return { sample, signalledAtMs };
}

function mostFrequent<T>(items: readonly T[]): T {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  const [best] = [...counts.entries()].sort(([, left], [, right]) => right - left)[0] ?? [];
  if (best === undefined) throw new Error('no items');
  return best;
}
