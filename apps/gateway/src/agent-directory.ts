import type { AgentInfo } from '@baton/protocol';
import type { RedisSessionStore } from '@baton/session-store';
import { z } from 'zod';

const registrationSchema = z.object({
  workerId: z.string(),
  agents: z.array(z.object({ id: z.string(), version: z.string() })),
});

/** The agents that live workers registered, with their versions and how many workers host each. */
export async function listLiveAgents(store: RedisSessionStore): Promise<AgentInfo[]> {
  const { globalKeys } = store;
  const workerIds = await store.redis.zrangebyscore(globalKeys.workers, Date.now(), '+inf');
  if (workerIds.length === 0) return [];
  const values = await store.redis.mget(workerIds.map((workerId) => globalKeys.worker(workerId)));
  const agents = new Map<string, { versions: Set<string>; workers: number }>();
  for (const value of values) {
    if (value === null) continue;
    const registration = registrationSchema.safeParse(JSON.parse(value));
    if (!registration.success) continue;
    for (const agent of registration.data.agents) {
      const entry = agents.get(agent.id) ?? { versions: new Set<string>(), workers: 0 };
      entry.versions.add(agent.version);
      entry.workers += 1;
      agents.set(agent.id, entry);
    }
  }
  return [...agents]
    .map(([id, entry]) => ({ id, versions: [...entry.versions].sort(), workers: entry.workers }))
    .sort((left, right) => left.id.localeCompare(right.id));
}
