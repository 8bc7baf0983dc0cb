import { type BatonStack, startBatonStack } from '@baton/testing';
import { Redis } from 'ioredis';
import { batonTarget } from './chat-target.ts';
import { measureIdleStop, measureMidTurnStop, type StopSample } from './graceful-stop.ts';
import { type KillSample, measureKillRecovery, type RecoveryContext } from './kill-recovery.ts';
import { wordsMessage } from './words-message.ts';

/** The worker settings that set how fast a dead worker's chat is taken over. */
export type RecoverySettings = {
  leaseMs: number;
  stalledIntervalMs: number;
  idleTimeoutSeconds: number;
  /** Names of the settings above that came from the environment rather than the defaults. */
  overridden: string[];
  demoDelayMs: number;
  messageWords: number;
};

export type RecoveryResult = {
  settings: RecoverySettings;
  kills: KillSample[];
  idleStops: StopSample[];
  midTurnStops: StopSample[];
  /** What went wrong without failing a turn, e.g. a stop that did not exit with code 0. */
  problems: string[];
  durationMs: number;
};

export type RecoveryBenchOptions = {
  kills: number;
  /** Stops of each kind (idle, mid-turn). */
  stops: number;
  progress: (message: string) => void;
};

const DEMO_DELAY_MS = 20;
/**
 * A reply of ~70 deltas 20 ms apart, about 1.4 s: the kill (3 deltas in) lands well inside the
 * turn. Not longer: a recovered turn streams its unfinished step again from its start, so every
 * kill costs the whole reply after the takeover (150 words took 6.5 s a kill, 20 kills 2+ min).
 */
const MESSAGE_WORDS = 60;
const SHORT_MESSAGE = 'How is the durable chat doing today?';
const GOLDEN_RATIO_FRACTION = 0.618_034;

/**
 * The recovery bench: a stack of 2 workers with the default lease settings; SIGKILLs of the
 * worker running a turn (how long until the turn streams again), then SIGTERMs of idle and busy
 * workers (how long until they exited). Each killed or stopped worker is replaced, so 2 run.
 */
export async function runRecoveryBench(options: RecoveryBenchOptions): Promise<RecoveryResult> {
  const startedAtMs = performance.now();
  const settings = recoverySettings();
  const message = wordsMessage(MESSAGE_WORDS);
  options.progress(
    `recovery: starting (2 workers, lease ${settings.leaseMs} ms, ` +
      `stalled check ${settings.stalledIntervalMs} ms)`,
  );
  const stack = await startBatonStack({
    workers: 2,
    env: { BATON_DEMO_DELAY_MS: String(DEMO_DELAY_MS), LOG_LEVEL: 'warn' },
    // Info is needed: the stack knows a worker is ready by its "worker started" line, and the
    // bench reads claims and drains from the log. A worker logs at info per chat, never per chunk.
    workerEnv: { LOG_LEVEL: 'info' },
  });
  let redis: Redis | undefined;
  try {
    redis = new Redis(stack.redis.url);
    const context: RecoveryContext = { stack, redis, target: batonTarget(stack), chatIds: [] };
    // Unmeasured: the first turn of a stack pays for compiling the gateway's and worker's paths.
    const warmUp = await context.target.openChat();
    context.chatIds.push(warmUp.chatId);
    await warmUp.send(SHORT_MESSAGE);

    const kills: KillSample[] = [];
    for (let index = 0; index < options.kills; index += 1) {
      // Each recovered turn lasts the same, so without a pause the next kill would come at the
      // same phase of the stalled check (once a second) as the last: 20 kills measured 2.38 to
      // 2.74 s, one point of a spread of a whole interval. Pauses spread evenly over one interval
      // (a golden-ratio sequence) sample every phase.
      await sleep(((index * GOLDEN_RATIO_FRACTION) % 1) * settings.stalledIntervalMs);
      kills.push(await measureKillRecovery(context, message));
      if ((index + 1) % 5 === 0 || index + 1 === options.kills) {
        options.progress(`recovery: ${index + 1}/${options.kills} kills`);
      }
    }
    const idleStops: StopSample[] = [];
    for (let index = 0; index < options.stops; index += 1) {
      idleStops.push(await measureIdleStop(context, SHORT_MESSAGE));
    }
    options.progress(`recovery: ${options.stops} idle stops`);
    const midTurnStops: StopSample[] = [];
    for (let index = 0; index < options.stops; index += 1) {
      midTurnStops.push(await measureMidTurnStop(context, message));
    }
    options.progress(`recovery: ${options.stops} mid-turn stops`);

    const problems = [...idleStops, ...midTurnStops]
      .filter((stop) => stop.exitCode !== 0)
      .map(
        (stop) =>
          `${stop.kind} stop of ${stop.worker} exited with code ${stop.exitCode}, ` +
          `signal ${stop.exitSignal}`,
      );
    return {
      settings,
      kills,
      idleStops,
      midTurnStops,
      problems,
      durationMs: performance.now() - startedAtMs,
    };
  } catch (error) {
    printOutputs(stack);
    throw error;
  } finally {
    redis?.disconnect();
    await stack.stop();
  }
}

/**
 * What the workers run with: the bench sets none of these, so a worker takes them from the
 * environment the bench inherited, else its defaults (apps/worker/src/config.ts).
 */
function recoverySettings(): RecoverySettings {
  const overridden: string[] = [];
  const read = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    overridden.push(name);
    return Number(raw);
  };
  return {
    leaseMs: read('BATON_LEASE_MS', 2_000),
    stalledIntervalMs: read('BATON_STALLED_INTERVAL_MS', 1_000),
    idleTimeoutSeconds: read('BATON_IDLE_TIMEOUT_SECONDS', 30),
    overridden,
    demoDelayMs: DEMO_DELAY_MS,
    messageWords: MESSAGE_WORDS,
  };
}

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}

/** The end of every process's output that may tell why a turn failed. */
function printOutputs(stack: BatonStack): void {
  for (const service of [stack.gateway, ...stack.workers.slice(-4)]) {
    console.error(`\n--- last output of ${service.name} ---\n${service.output().slice(-3000)}`);
  }
}
