import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentIdSchema } from '@baton/protocol';
import { type AgentDefinition, isAgentDefinition } from '@baton/sdk';

/**
 * Imports agent modules (paths or package specifiers) and collects every exported agent. Two
 * agents with one id are a configuration error.
 */
export async function loadAgents(specifiers: string[], cwd: string): Promise<AgentDefinition[]> {
  const agents = new Map<string, AgentDefinition>();
  for (const specifier of specifiers) {
    const isPath =
      specifier.startsWith('.') || isAbsolute(specifier) || /\.[cm]?[jt]s$/.test(specifier);
    const url = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
    const module = (await import(url)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (!isAgentDefinition(value)) continue;
      const id = agentIdSchema.safeParse(value.id);
      if (!id.success) {
        throw new Error(`agent id "${value.id}" in ${specifier}: ${id.error.issues[0]?.message}`);
      }
      const existing = agents.get(value.id);
      if (existing && existing !== value) {
        throw new Error(`two agents have the id "${value.id}" (in ${specifier})`);
      }
      agents.set(value.id, value);
    }
  }
  if (agents.size === 0) {
    throw new Error(`no agents exported by ${specifiers.join(', ')}`);
  }
  return [...agents.values()];
}
