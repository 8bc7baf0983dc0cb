import type { BenchChat, ChatTarget, SystemName } from './chat-target.ts';
import type { TurnTrace } from './sse-client.ts';

/** The measured turns of one system in one scenario. */
export type ScenarioResult = {
  scenario: string;
  system: SystemName;
  traces: TurnTrace[];
  /** Wall time of the measured turns when they ran concurrently: the aggregate rate's base. */
  concurrentWallMs?: number;
};

export type InterleavedOptions = {
  scenario: string;
  targets: readonly ChatTarget[];
  message: string;
  /** Measured turns per target. */
  turns: number;
  /** Chats per target, taking turns round-robin; each gets one unmeasured warm-up turn first. */
  chatCount: number;
  /** Every measured turn on a new chat (the cold path: a job, a claim, a load). */
  isNewChatPerTurn?: boolean;
  /** Called after the warm-up, before the first measured turn. */
  onMeasureStart?: () => Promise<unknown>;
};

/**
 * One turn at a time, alternating between the targets turn by turn (and which goes first), so
 * drift of the machine during the run weighs on every system alike.
 */
export async function runInterleaved(options: InterleavedOptions): Promise<ScenarioResult[]> {
  const { targets, message } = options;
  const chatsByTarget: BenchChat[][] = [];
  for (const target of targets) {
    const chats: BenchChat[] = [];
    for (let index = 0; index < options.chatCount; index += 1) {
      const chat = await target.openChat();
      await chat.send(message);
      chats.push(chat);
    }
    chatsByTarget.push(chats);
  }
  await options.onMeasureStart?.();
  const results = targets.map(
    (target): ScenarioResult => ({ scenario: options.scenario, system: target.system, traces: [] }),
  );
  for (let turn = 0; turn < options.turns; turn += 1) {
    const order = targets.map((_, index) => index);
    if (turn % 2 === 1) order.reverse();
    for (const index of order) {
      const target = targets[index];
      const result = results[index];
      const chats = chatsByTarget[index];
      if (!target || !result || !chats) continue;
      const chat = options.isNewChatPerTurn ? await target.openChat() : chats[turn % chats.length];
      if (!chat) continue;
      result.traces.push(await chat.send(message));
    }
  }
  return results;
}

export type ConcurrentOptions = {
  scenario: string;
  target: ChatTarget;
  message: string;
  chatCount: number;
  /** Measured turns per chat, one after another within a chat. */
  turnsPerChat: number;
  onMeasureStart?: () => Promise<unknown>;
};

/**
 * `chatCount` chats at once, each taking `turnsPerChat` turns in a row after one unmeasured
 * warm-up turn (which opens every chat, so the measured turns find them warm).
 */
export async function runConcurrent(options: ConcurrentOptions): Promise<ScenarioResult> {
  const { target, message } = options;
  const chats = await Promise.all(
    Array.from({ length: options.chatCount }, async () => {
      const chat = await target.openChat();
      await chat.send(message);
      return chat;
    }),
  );
  await options.onMeasureStart?.();
  const traces: TurnTrace[] = [];
  const startedAtMs = performance.now();
  await Promise.all(
    chats.map(async (chat) => {
      for (let turn = 0; turn < options.turnsPerChat; turn += 1) {
        traces.push(await chat.send(message));
      }
    }),
  );
  return {
    scenario: options.scenario,
    system: target.system,
    traces,
    concurrentWallMs: performance.now() - startedAtMs,
  };
}
