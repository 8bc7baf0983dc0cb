import { watch } from 'chokidar';

/** Options of {@link watchAgentFiles}. */
export type AgentWatcherOptions = {
  /** The files to watch at first: the agent modules (absolute paths). */
  files: readonly string[];
  /** Called once per burst of changes, with one of the changed files. */
  onChange: (changedFile: string) => void;
  /** Changes closer together than this are one burst: an editor's save is several events. */
  debounceMs?: number;
};

/** A running watch. */
export type AgentWatcher = {
  /**
   * Watches exactly these files from now on (plus the agent modules): what the workers reported
   * their agents loaded, so an import from anywhere in the project counts.
   */
  setFiles: (files: readonly string[]) => void;
  /** Ends the watch and any pending notification. */
  close: () => Promise<void>;
};

const DEFAULT_DEBOUNCE_MS = 200;

/**
 * Watches the agent modules and the project files they import (as the workers report them,
 * `BATON_REPORT_AGENT_FILES`): what `baton dev` restarts its workers on, as `trigger dev` rebuilds
 * on a save. A file that is written, replaced (editors save by rename) or removed counts.
 *
 * @example
 * ```ts
 * const watcher = await watchAgentFiles({ files: ['/app/agents.ts'], onChange: reload });
 * watcher.setFiles(['/app/agents.ts', '/app/lib/tools.ts']);
 * await watcher.close();
 * ```
 */
export async function watchAgentFiles(options: AgentWatcherOptions): Promise<AgentWatcher> {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const always = new Set(options.files);
  let watched = new Set(options.files);
  let timer: NodeJS.Timeout | undefined;
  let changed: string | undefined;
  const watcher = watch([...watched], { ignoreInitial: true });
  watcher.on('all', (event, path) => {
    if (event === 'addDir' || event === 'unlinkDir') return;
    changed = path;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (changed !== undefined) options.onChange(changed);
      changed = undefined;
    }, debounceMs);
  });
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  return {
    setFiles: (files) => {
      const next = new Set([...always, ...files]);
      const removed = [...watched].filter((file) => !next.has(file));
      const added = [...next].filter((file) => !watched.has(file));
      if (removed.length > 0) watcher.unwatch(removed);
      if (added.length > 0) watcher.add(added);
      watched = next;
    },
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
