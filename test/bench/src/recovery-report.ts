import type { StopSample } from './graceful-stop.ts';
import type { KillSample } from './kill-recovery.ts';
import type { RecoveryResult } from './recovery-bench.ts';
import { renderTable } from './report.ts';
import { median, percentile } from './stats.ts';

const HEADERS = ['recovery', 'n', 'p50', 'p95', 'p99', 'max'] as const;

/**
 * The "recovery" section: the settings in effect, a table of times after a SIGKILL and a
 * SIGTERM, and what the workers' logs tell about each recovery.
 *
 * @example
 * ```ts
 * console.log(formatRecoveryReport(await runRecoveryBench(options), 'pnpm bench'));
 * ```
 */
export function formatRecoveryReport(result: RecoveryResult, command: string): string {
  const { settings, kills, idleStops, midTurnStops } = result;
  const source = (name: string) => (settings.overridden.includes(name) ? name : 'default');
  const claims = kills.flatMap((kill) => (kill.claimMs === undefined ? [] : [kill.claimMs]));
  const stalls = kills.flatMap((kill) => (kill.stalledMs === undefined ? [] : [kill.stalledMs]));
  const turnEnds = midTurnStops.flatMap((stop) =>
    stop.turnEndToExitMs === undefined ? [] : [stop.turnEndToExitMs],
  );
  const rows = [
    fullRow(
      'SIGKILL -> first chunk of the recovered turn',
      kills.map((kill) => kill.firstChunkMs),
    ),
    fullRow('  SIGKILL -> stalled job back in wait (BullMQ)', stalls),
    fullRow('  SIGKILL -> chat claimed (next holder log)', claims),
    fullRow(
      '  SIGKILL -> first text-delta after the gap',
      kills.map((kill) => kill.firstDeltaMs),
    ),
    fullRow(
      '  SIGKILL -> [DONE] (reply checked)',
      kills.map((kill) => kill.killToDoneMs),
    ),
    shortRow('SIGTERM -> exit, idle worker, warm chats', exitTimes(idleStops)),
    shortRow('SIGTERM -> exit, worker mid-turn', exitTimes(midTurnStops)),
    shortRow('  turn end ([DONE] read) -> exit', turnEnds),
  ];
  const recoverers = kills.filter((kill) => kill.isRecoveredByReplacement).length;
  const byReplacement = (isReplacement: boolean) =>
    kills.filter((kill) => kill.isRecoveredByReplacement === isReplacement);
  const jobAges = kills.flatMap((kill) =>
    kill.jobAgeAtKillMs === undefined ? [] : [kill.jobAgeAtKillMs],
  );
  const leaseWaits = kills.flatMap((kill) =>
    kill.leaseWaitMs === undefined ? [] : [kill.leaseWaitMs],
  );
  const firstTypes = countBy(kills.map((kill) => kill.firstChunkType));
  const stops = [...idleStops, ...midTurnStops];
  const exitCodes = countBy(
    stops.map((stop) => (stop.exitCode === null ? `signal ${stop.exitSignal}` : stop.exitCode)),
  );
  const recoveredMidTurn = midTurnStops.filter((stop) => stop.wasRecovered).length;
  const heldIdle = idleStops.flatMap((stop) =>
    stop.heldChats === undefined ? [] : [stop.heldChats],
  );
  return [
    `recovery: 2 workers, demo delay ${settings.demoDelayMs} ms, ${settings.messageWords}-word ` +
      `message; lease ${settings.leaseMs} ms (${source('BATON_LEASE_MS')}), stalled check ` +
      `${settings.stalledIntervalMs} ms (${source('BATON_STALLED_INTERVAL_MS')}), idle timeout ` +
      `${settings.idleTimeoutSeconds} s (${source('BATON_IDLE_TIMEOUT_SECONDS')})`,
    `command: ${command}`,
    '',
    renderTable(HEADERS, rows),
    '',
    `kills: SIGKILL -> first chunk per kill, in order (ms): ` +
      kills.map((kill) => kill.firstChunkMs.toFixed(0)).join(' '),
    `  first chunk after the gap: ${formatCounts(firstTypes)}; recovered by the surviving ` +
      `worker ${kills.length - recoverers}${firstChunkMedian(byReplacement(false))}, by the ` +
      `replacement ${recoverers}${firstChunkMedian(byReplacement(true))}`,
    `  the kill came ${range(jobAges)} ms after the dead worker's claim of the chat (age of the ` +
      'BullMQ job and its lock)',
    `  claim waited for the dead lease: ${leaseWaits.length}/${kills.length}` +
      (leaseWaits.length > 0 ? ` (retryAfter p50 ${median(leaseWaits).toFixed(0)} ms)` : '') +
      `; chats the killed worker held: ${range(kills.map((kill) => kill.heldChats))}; ` +
      `its chunks read after the kill: ${range(kills.map((kill) => kill.inFlightChunks))}`,
    `stops: exit codes ${formatCounts(exitCodes)}; chats held when draining (idle): ` +
      `${range(heldIdle)}; mid-turn turns recovered instead of finished: ` +
      `${recoveredMidTurn}/${midTurnStops.length}`,
    'SIGKILL/SIGTERM: just before the signal; chunk times as read by the client on the same SSE',
    '  response (the gateway lives on); stalled: BullMQ\'s "stalled" event of the run job (Redis',
    '  clock); claimed: the next holder\'s "chat claimed" log line (after its checkpoint load).',
    '  Every killed or stopped worker is replaced; every chat then answers again.',
    `recovery part: ${(result.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

function firstChunkMedian(kills: readonly KillSample[]): string {
  return kills.length === 0
    ? ''
    : ` (first chunk p50 ${median(kills.map((kill) => kill.firstChunkMs)).toFixed(0)} ms)`;
}

function fullRow(label: string, samples: readonly number[]): string[] {
  return [
    label,
    String(samples.length),
    formatMs(median(samples)),
    formatMs(percentile(samples, 0.95)),
    formatMs(percentile(samples, 0.99)),
    formatMs(Math.max(...samples)),
  ];
}

/** Stops are few: their p50 and max only. */
function shortRow(label: string, samples: readonly number[]): string[] {
  return [
    label,
    String(samples.length),
    formatMs(median(samples)),
    '',
    '',
    formatMs(Math.max(...samples)),
  ];
}

function exitTimes(stops: readonly StopSample[]): number[] {
  return stops.map((stop) => stop.exitMs);
}

function formatMs(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a';
}

function countBy(values: readonly (string | number)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  return counts;
}

function formatCounts(counts: Map<string, number>): string {
  return [...counts.entries()].map(([value, count]) => `${value} x${count}`).join(', ') || 'none';
}

function range(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  return `${Math.min(...values)}-${Math.max(...values)} (median ${median(values)})`;
}
