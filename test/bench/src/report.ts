import type { SystemName } from './chat-target.ts';
import type { ScenarioResult } from './scenarios.ts';
import { median, percentile, sum } from './stats.ts';

/** One line of the table: the figures of one system in one scenario. */
export type ReportRow = {
  system: SystemName;
  scenario: string;
  turnCount: number;
  ttfcP50Ms: number;
  ttfcP95Ms: number;
  /** Median per-turn delta rate, or the aggregate rate of a concurrent scenario. */
  chunksPerSecond: number;
  isAggregateRate: boolean;
  turnP50Ms: number;
  /** Last delta -> end of body: what a turn costs after its text (Baton: the checkpoint). */
  tailP50Ms: number;
  deltasPerTurn: number;
  readsPerTurn: number;
};

/**
 * The figures of a result. A turn's delta rate is (deltas − 1) / (last delta − first delta): the
 * pace between the first and the last delta, so a 20 ms model reads 50/s whatever the reply's
 * length. A turn whose deltas all arrived in one read has no measurable pace and is left out.
 */
export function summarize(result: ScenarioResult): ReportRow {
  const { traces } = result;
  const ttfcs = traces.map((trace) => trace.firstDeltaAtMs - trace.startedAtMs);
  const rates = traces
    .filter((trace) => trace.deltaCount > 1 && trace.lastDeltaAtMs > trace.firstDeltaAtMs)
    .map((trace) => ((trace.deltaCount - 1) * 1000) / (trace.lastDeltaAtMs - trace.firstDeltaAtMs));
  const deltaCounts = traces.map((trace) => trace.deltaCount);
  const isAggregateRate = result.concurrentWallMs !== undefined;
  return {
    system: result.system,
    scenario: result.scenario,
    turnCount: traces.length,
    ttfcP50Ms: median(ttfcs),
    ttfcP95Ms: percentile(ttfcs, 0.95),
    chunksPerSecond: isAggregateRate
      ? (sum(deltaCounts) * 1000) / (result.concurrentWallMs ?? Number.NaN)
      : median(rates),
    isAggregateRate,
    turnP50Ms: median(traces.map((trace) => trace.endedAtMs - trace.startedAtMs)),
    tailP50Ms: median(traces.map((trace) => trace.endedAtMs - trace.lastDeltaAtMs)),
    deltasPerTurn: median(deltaCounts),
    readsPerTurn: median(traces.map((trace) => trace.readCount)),
  };
}

const HEADERS = [
  'system',
  'scenario',
  'turns',
  'TTFC p50',
  'TTFC p95',
  'chunks/s',
  'turn p50',
  'ratio vs floor: TTFC p50',
  'chunks/s',
  'turn p50',
  'tail p50',
  'deltas',
  'reads',
] as const;

/** The rows as a plain-text table; each Baton row compares itself with its scenario's floor. */
export function formatTable(rows: readonly ReportRow[]): string {
  const lines = rows.map((row) => {
    const floor =
      row.system === 'floor'
        ? undefined
        : rows.find(
            (candidate) => candidate.system === 'floor' && candidate.scenario === row.scenario,
          );
    const ratios = floor
      ? [
          timeRatio(row.ttfcP50Ms, floor.ttfcP50Ms),
          formatRatio(row.chunksPerSecond / floor.chunksPerSecond),
          timeRatio(row.turnP50Ms, floor.turnP50Ms),
        ]
      : ['(floor)', '', ''];
    return [
      row.system,
      row.scenario,
      String(row.turnCount),
      formatMs(row.ttfcP50Ms),
      formatMs(row.ttfcP95Ms),
      `${formatNumber(row.chunksPerSecond, 0)}${row.isAggregateRate ? ' (all)' : ''}`,
      formatMs(row.turnP50Ms),
      ...ratios,
      formatMs(row.tailP50Ms),
      formatNumber(row.deltasPerTurn, 0),
      formatNumber(row.readsPerTurn, 0),
    ];
  });
  return renderTable(HEADERS, lines);
}

/** A plain-text table: a header row, a rule, then the rows, columns padded to their widest. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const table = [headers, ...rows];
  const widths = headers.map((_, column) =>
    Math.max(...table.map((cells) => (cells[column] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
  return [render(headers), rule, ...rows.map(render)].join('\n');
}

/** `2.10x (+12.3 ms)`: how many times the floor's time, and the absolute overhead. */
function timeRatio(value: number, floor: number): string {
  const difference = value - floor;
  const sign = difference >= 0 ? '+' : '-';
  return `${formatRatio(value / floor)} (${sign}${formatNumber(Math.abs(difference), 1)} ms)`;
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

function formatMs(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a';
}

function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
