import { isAbsolute } from 'node:path';
import type { AgentFiles } from './agent-files.ts';
import { type AgentWatcher, watchAgentFiles } from './agent-watcher.ts';
import type { ManagedProcess, ProcessGroup } from './process-group.ts';
import { displayPath, say, sayError } from './terminal.ts';
import { WorkerReloader } from './worker-reloader.ts';

/** Options of {@link startAgentReload}. */
export type AgentReloadOptions = {
  /** The agent modules `baton dev` hosts (paths absolute, or package names, never watched). */
  agentModules: readonly string[];
  group: ProcessGroup;
  /** The files the workers reported their agents loaded, kept up to date by the launcher. */
  agentFiles: AgentFiles;
  /** Aborted once `baton dev` stops. */
  signal: AbortSignal;
  waitUntilReady: (managed: ManagedProcess, signal: AbortSignal) => Promise<void>;
  graceMs: number;
  readyTimeoutMs: number;
  showRecentLines: (managed: ManagedProcess) => Promise<void>;
};

/**
 * `baton dev`'s reload: watches the agent modules and the project files their workers reported
 * loading, and restarts the workers one at a time when one changes ({@link WorkerReloader}).
 * Resolves to the watcher to close, or `undefined` when watching failed (reported, not fatal).
 */
export async function startAgentReload(
  options: AgentReloadOptions,
): Promise<AgentWatcher | undefined> {
  const reloader = new WorkerReloader({
    group: options.group,
    isWorker: (managed) => managed.name.startsWith('worker-'),
    waitUntilReady: options.waitUntilReady,
    graceMs: options.graceMs,
    readyTimeoutMs: options.readyTimeoutMs,
    signal: options.signal,
    say,
    sayError,
    showRecentLines: options.showRecentLines,
  });
  try {
    const watcher = await watchAgentFiles({
      files: options.agentModules.filter((module) => isAbsolute(module)),
      onChange: (file) => reloader.request(`${displayPath(file)} changed`),
    });
    watcher.setFiles(options.agentFiles.latest);
    return watcher;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    sayError(`cannot watch the agent files (${reason}); restart baton dev after a change`);
    return undefined;
  }
}
