import type { SystemName } from './chat-target.ts';
import { readProcessCpuMs } from './process-cpu.ts';
import { formatCallsPerTurn, type RedisStats } from './redis-stats.ts';
import type { ScenarioResult } from './scenarios.ts';

/** A process whose CPU time is charged to the turns of a system (`client` to every turn). */
export type ProbedProcess = { name: string; pid: number; system: SystemName | 'client' };

/**
 * Where a scenario's work went: CPU time per turn of every process, and Redis's command counts
 * per Baton turn. Taken between `start()` (after the warm-up) and `describe()` (after the last
 * measured turn). Diagnostics for reading the table, not part of it.
 */
export class SystemProbe {
  readonly #processes: readonly ProbedProcess[];
  readonly #redisStats: RedisStats;
  #cpuAtStartMs = new Map<number, number>();
  #startedAtMs = 0;

  constructor(processes: readonly ProbedProcess[], redisStats: RedisStats) {
    this.#processes = processes;
    this.#redisStats = redisStats;
  }

  async start(): Promise<void> {
    await this.#redisStats.reset();
    this.#cpuAtStartMs = this.#readCpu();
    this.#startedAtMs = performance.now();
  }

  /** Two lines per scenario: CPU ms per turn by process, Redis calls per Baton turn. */
  async describe(results: readonly ScenarioResult[]): Promise<string[]> {
    const cpuAtEndMs = this.#readCpu();
    const windowSeconds = (performance.now() - this.#startedAtMs) / 1000;
    const calls = await this.#redisStats.read();
    const turnsOf = (system: SystemName | 'client') =>
      results
        .filter((result) => system === 'client' || result.system === system)
        .reduce((total, result) => total + result.traces.length, 0);
    const cpu = this.#processes
      .filter((process) => turnsOf(process.system) > 0)
      .map((process) => {
        const usedMs =
          (cpuAtEndMs.get(process.pid) ?? 0) - (this.#cpuAtStartMs.get(process.pid) ?? 0);
        return `${process.name} ${(usedMs / turnsOf(process.system)).toFixed(1)}`;
      });
    const scenario = results[0]?.scenario ?? '?';
    const lines = [
      `  ${scenario}: CPU ms per turn of its system (${windowSeconds.toFixed(1)} s window): ` +
        cpu.join(', '),
    ];
    const batonTurns = turnsOf('baton');
    if (calls && batonTurns > 0) {
      lines.push(`    Redis calls per Baton turn: ${formatCallsPerTurn(calls, batonTurns)}`);
    }
    return lines;
  }

  #readCpu(): Map<number, number> {
    const cpu = new Map<number, number>();
    for (const { pid } of this.#processes) {
      const usedMs = readProcessCpuMs(pid);
      if (usedMs !== undefined) cpu.set(pid, usedMs);
    }
    return cpu;
  }
}
