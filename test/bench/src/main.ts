import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type BatonStack,
  freePort,
  type ServiceProcess,
  startBatonStack,
  startServiceProcess,
} from '@baton/testing';
import { batonTarget, type ChatTarget, floorTarget } from './chat-target.ts';
import { type RecoveryResult, runRecoveryBench } from './recovery-bench.ts';
import { formatRecoveryReport } from './recovery-report.ts';
import { RedisStats } from './redis-stats.ts';
import { formatTable, type ReportRow, summarize } from './report.ts';
import { runConcurrent, runInterleaved, type ScenarioResult } from './scenarios.ts';
import { SystemProbe } from './system-probe.ts';
import { wordsMessage } from './words-message.ts';

// `pnpm bench`: Baton against the floor (test/bench/README.md), then how fast it recovers from a
// killed worker and how fast a stopped one exits, measured in one run on this machine. It prints
// figures and exits non-zero only when a turn fails, a reply is wrong or a stopped worker did not
// exit cleanly: a benchmark asserts no timings (STYLE.md).

const ONLY = readPart('BENCH_ONLY');
const TURNS = readPositiveInteger('BENCH_TURNS', 30);
const CONCURRENCY = readPositiveInteger('BENCH_CONCURRENCY', 20);
/** SIGKILLs of the worker running a turn; 20 give a p95 and a p99 worth printing. */
const KILLS = readPositiveInteger('BENCH_KILLS', 20);
/** SIGTERMs of each kind (an idle worker, a worker mid-turn). */
const STOPS = readPositiveInteger('BENCH_STOPS', 5);
/** Chats per sequential scenario and system, taking turns round-robin (each stays warm). */
const CHAT_COUNT = 3;
const CONCURRENT_TURNS_PER_CHAT = 3;
/** The demo model echoes the message word by word: ~500 words make ~510 text deltas. */
const LONG_MESSAGE = wordsMessage(500);
const SHORT_MESSAGE = 'How is the durable chat doing today?';
const FLOOR_ENTRY = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
const benchStartedAtMs = performance.now();

type Systems = {
  stack: BatonStack;
  floor: ServiceProcess;
  baton: ChatTarget;
  floorTarget: ChatTarget;
  probe: SystemProbe;
  stop(): Promise<void>;
};

const rows: ReportRow[] = [];
const diagnostics: { scenario: string; lines: string[] }[] = [];
let systems: Systems | undefined;
let recovery: RecoveryResult | undefined;

try {
  if (ONLY !== 'recovery') await runFloorBench();
  if (ONLY !== 'floor') {
    recovery = await runRecoveryBench({ kills: KILLS, stops: STOPS, progress });
  }
  printReport();
  if (recovery && recovery.problems.length > 0) {
    console.error(`\nbench failed:\n${recovery.problems.join('\n')}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error('\nbench failed:', error);
  if (systems) {
    for (const service of [systems.stack.gateway, ...systems.stack.workers, systems.floor]) {
      console.error(`\n--- last output of ${service.name} ---\n${service.output().slice(-3000)}`);
    }
  }
  process.exitCode = 1;
} finally {
  await systems?.stop();
}
// A child that failed to get ready is not ours to stop (startServiceProcess keeps no handle on
// it), and its pipes would keep this process alive: a failed bench must still end.
if (process.exitCode === 1) process.exit(1);

/** Baton against the floor: scenarios a) to d). */
async function runFloorBench(): Promise<void> {
  progress(`BENCH_TURNS=${TURNS} BENCH_CONCURRENCY=${CONCURRENCY}; starting (delay 0 ms)`);
  const fast = await startSystems(0);
  systems = fast;
  await measure(fast, () =>
    runInterleaved({
      scenario: 'a) delay 0, long reply',
      targets: [fast.baton, fast.floorTarget],
      message: LONG_MESSAGE,
      turns: TURNS,
      chatCount: CHAT_COUNT,
      onMeasureStart: () => fast.probe.start(),
    }),
  );
  for (const target of [fast.floorTarget, fast.baton]) {
    await measure(fast, async () => [
      await runConcurrent({
        scenario: `d) ${CONCURRENCY} chats x ${CONCURRENT_TURNS_PER_CHAT}, delay 0`,
        target,
        message: LONG_MESSAGE,
        chatCount: CONCURRENCY,
        turnsPerChat: CONCURRENT_TURNS_PER_CHAT,
        onMeasureStart: () => fast.probe.start(),
      }),
    ]);
  }
  await fast.stop();
  systems = undefined;

  progress('starting (delay 20 ms)');
  const paced = await startSystems(20);
  systems = paced;
  await measure(paced, () =>
    runInterleaved({
      scenario: 'b) delay 20 ms, warm chat',
      targets: [paced.baton, paced.floorTarget],
      message: SHORT_MESSAGE,
      turns: TURNS,
      chatCount: CHAT_COUNT,
      onMeasureStart: () => paced.probe.start(),
    }),
  );
  await measure(paced, () =>
    runInterleaved({
      scenario: 'c) delay 20 ms, new chat',
      targets: [paced.baton, paced.floorTarget],
      message: SHORT_MESSAGE,
      turns: TURNS,
      chatCount: 1,
      isNewChatPerTurn: true,
      onMeasureStart: () => paced.probe.start(),
    }),
  );
  await paced.stop();
  systems = undefined;
}

async function startSystems(delayMs: number): Promise<Systems> {
  const floorPort = await freePort();
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  const [stackResult, floorResult] = await Promise.allSettled([
    startBatonStack({
      workers: 1,
      env: { BATON_DEMO_DELAY_MS: String(delayMs), LOG_LEVEL: 'warn' },
      // The stack knows a worker is ready by its info line "worker started"; a worker logs at info
      // only per chat (claimed, suspended), never per turn or chunk, so this costs nothing here.
      workerEnv: { LOG_LEVEL: 'info' },
    }),
    startServiceProcess({
      name: 'floor',
      script: FLOOR_ENTRY,
      env: { PORT: String(floorPort), BENCH_DEMO_DELAY_MS: String(delayMs) },
      readyUrl: `${floorUrl}/healthz`,
    }),
  ]);
  if (stackResult.status === 'rejected') {
    if (floorResult.status === 'fulfilled') await floorResult.value.stop(2_000);
    throw stackResult.reason;
  }
  if (floorResult.status === 'rejected') {
    await stackResult.value.stop();
    throw floorResult.reason;
  }
  const stack = stackResult.value;
  const floor = floorResult.value;
  const redisStats = new RedisStats(stack.redis.url);
  const redisPid = await redisStats.pid();
  const probe = new SystemProbe(
    [
      ...stack.workers.map((worker) => ({
        name: worker.name,
        pid: worker.pid,
        system: 'baton' as const,
      })),
      { name: 'gateway', pid: stack.gateway.pid, system: 'baton' },
      ...(redisPid === undefined
        ? []
        : [{ name: 'redis', pid: redisPid, system: 'baton' as const }]),
      { name: 'floor-server', pid: floor.pid, system: 'floor' },
      { name: 'client (all turns)', pid: process.pid, system: 'client' },
    ],
    redisStats,
  );
  let isStopped = false;
  return {
    stack,
    floor,
    baton: batonTarget(stack),
    floorTarget: floorTarget(floorUrl),
    probe,
    stop: async () => {
      if (isStopped) return;
      isStopped = true;
      await Promise.all([stack.stop(), floor.stop(2_000)]);
    },
  };
}

/** Runs a scenario, keeps its rows and the probe's account of where the work went. */
async function measure(running: Systems, scenario: () => Promise<ScenarioResult[]>) {
  const startedAtMs = performance.now();
  const results = await scenario();
  const name = results[0]?.scenario ?? '?';
  diagnostics.push({ scenario: name, lines: await running.probe.describe(results) });
  rows.push(...results.map(summarize));
  const systemNames = results.map((result) => result.system).join(' + ');
  progress(`${name} (${systemNames}): ${((performance.now() - startedAtMs) / 1000).toFixed(1)} s`);
}

function printReport(): void {
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  const memoryGb = (totalmem() / 1024 ** 3).toFixed(1);
  console.log('');
  console.log(`command: ${commandLine()}`);
  console.log(
    `machine: node ${process.version}, ${platform()} ${release()}, ` +
      `${availableParallelism()} CPUs (${cpuModel}), ${memoryGb} GB`,
  );
  if (rows.length > 0) printFloorReport();
  if (recovery) {
    console.log('');
    console.log(formatRecoveryReport(recovery, commandLine()));
  }
  console.log(`total: ${((performance.now() - benchStartedAtMs) / 1000).toFixed(1)} s`);
}

function printFloorReport(): void {
  const order = (row: ReportRow) => `${row.scenario} ${row.system === 'baton' ? 0 : 1}`;
  const sorted = [...rows].sort((left, right) => order(left).localeCompare(order(right)));
  console.log(
    'baton: 1 gateway + 1 worker + its own redis-server; floor: the demo model streamed from a ' +
      'Hono handler in its own process; one client (this process), HTTP + SSE, same code for both',
  );
  console.log('');
  console.log(formatTable(sorted));
  console.log('');
  console.log(
    [
      'TTFC: request start -> first text-delta event read by the client.',
      'chunks/s: median over turns of (deltas - 1) / (last delta - first delta) read;',
      '  "(all)": every delta of the concurrent turns / their wall time.',
      'turn: request start -> end of the response body. ratio: baton / floor (+ baton - floor).',
      'tail: last text-delta -> end of the body (Baton: flush, checkpoint, turn-complete).',
      'deltas, reads: text-delta events and body reads (network chunks) per turn, medians.',
    ].join('\n'),
  );
  console.log('');
  console.log('Where the work went (measured turns; Redis counts the commands run in Lua too):');
  const sortedDiagnostics = [...diagnostics].sort((left, right) =>
    left.scenario.localeCompare(right.scenario),
  );
  for (const { lines } of sortedDiagnostics) for (const line of lines) console.log(line);
  console.log(
    '  (CPU includes idle background work over the window, e.g. lease renewals and input polls;\n' +
      '  it weighs most on the long 20 ms scenarios. The client is shared by both systems.)',
  );
}

/** How to run this again: the part and the sizes in effect. */
function commandLine(): string {
  const sizes = [
    ...(ONLY === 'recovery' ? [] : [`BENCH_TURNS=${TURNS}`, `BENCH_CONCURRENCY=${CONCURRENCY}`]),
    ...(ONLY === 'floor' ? [] : [`BENCH_KILLS=${KILLS}`, `BENCH_STOPS=${STOPS}`]),
  ];
  return `${ONLY ? `BENCH_ONLY=${ONLY} ` : ''}pnpm bench (${sizes.join(' ')})`;
}

function progress(message: string): void {
  const seconds = ((performance.now() - benchStartedAtMs) / 1000).toFixed(1);
  console.error(`[${seconds.padStart(5)} s] ${message}`);
}

function readPositiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `BENCH_ONLY`: `floor` (Baton against the floor) or `recovery`; unset runs both. */
function readPart(name: string): 'floor' | 'recovery' | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'floor' || raw === 'recovery') return raw;
  throw new Error(`${name} must be floor or recovery, got ${JSON.stringify(raw)}`);
}
