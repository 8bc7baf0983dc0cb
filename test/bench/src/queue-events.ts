import { runQueueName } from '@baton/protocol';
import { globalKeys } from '@baton/redis';
import type { Redis } from 'ioredis';

/** Events read back from the end of the stream: far more than one bench step adds. */
const EVENTS_READ = 2_000;

/** BullMQ's event stream of an agent's run queue: `<prefix>:<queue>:events`. */
function runEventsKey(agentId: string): string {
  return `${globalKeys().queuePrefix}:${runQueueName(agentId)}:events`;
}

/**
 * When BullMQ's stalled check moved a run job of the chat back to wait (its `stalled` event; the
 * stream entry id is Redis's clock in ms), at or after `sinceEpochMs`; undefined if none.
 */
export async function stalledAtEpochMs(
  redis: Redis,
  options: { agentId: string; chatId: string; sinceEpochMs: number },
): Promise<number | undefined> {
  const entries = await redis.xrevrange(
    runEventsKey(options.agentId),
    '+',
    String(options.sinceEpochMs),
    'COUNT',
    EVENTS_READ,
  );
  let earliest: number | undefined;
  for (const [id, fields] of entries) {
    const values = fieldMap(fields);
    if (values.get('event') !== 'stalled') continue;
    if (!values.get('jobId')?.startsWith(`run-${options.chatId}-`)) continue;
    earliest = Number(id.split('-')[0]);
  }
  return earliest;
}

function fieldMap(fields: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [name, value] = [fields[index], fields[index + 1]];
    if (name !== undefined && value !== undefined) values.set(name, value);
  }
  return values;
}
