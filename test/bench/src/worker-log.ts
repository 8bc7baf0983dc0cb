import type { ServiceProcess } from '@baton/testing';

/** One pino line of a worker's output. */
export type WorkerLogLine = {
  /** The service's name, e.g. `worker-3` (its `BATON_WORKER_ID`). */
  worker: string;
  /** pino's `time`: `Date.now()` when the line was logged. */
  timeMs: number;
  message: string;
  chatId: string | undefined;
  fields: Record<string, unknown>;
};

/**
 * The JSON log lines of workers, dead ones included (their output outlives them): where the bench
 * reads when a chat was claimed after a kill, and how many chats a draining worker held.
 */
export function workerLogLines(workers: readonly ServiceProcess[]): WorkerLogLine[] {
  const lines: WorkerLogLine[] = [];
  for (const worker of workers) {
    for (const text of worker.output().split('\n')) {
      if (!text.startsWith('{')) continue;
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      const { time, msg, chatId } = fields;
      if (typeof time !== 'number' || typeof msg !== 'string') continue;
      lines.push({
        worker: worker.name,
        timeMs: time,
        message: msg,
        chatId: typeof chatId === 'string' ? chatId : undefined,
        fields,
      });
    }
  }
  return lines.sort((left, right) => left.timeMs - right.timeMs);
}
