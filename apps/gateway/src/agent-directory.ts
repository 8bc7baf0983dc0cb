import type { AgentInfo } from '@baton/protocol';
import type { RedisSessionStore } from '@baton/session-store';

/** The agents that live workers registered, with their versions and how many workers host each. */
export async function listLiveAgents(store: RedisSessionStore): Promise<AgentInfo[]> {
  const agents = new Map<string, { versions: Set<string>; workers: number }>();
  for (const registration of await store.workers.listLive()) {
    for (const agent of registration.agents) {
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
