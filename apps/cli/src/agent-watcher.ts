import { basename, dirname } from 'node:path';
import { watch } from 'chokidar';

/** Options of {@link watchAgentFiles}. */
export type AgentWatcherOptions = {
  /** The agent modules (absolute paths); the directories holding them are watched. */
  files: readonly string[];
  /** Called once per burst of changes, with one of the changed files. */
  onChange: (changedFile: string) => void;
  /** Changes closer together than this are one burst: an editor's save is several events. */
  debounceMs?: number;
};

/** A running watch; `close` ends it and any pending notification. */
export type AgentWatcher = { close: () => Promise<void> };

/** Directories never watched: dependencies, builds, VCS and tool state. */
const IGNORED_DIRECTORIES = new Set([
  'node_modules',
  'dist',
  'build',
  'coverage',
  '.git',
  '.baton',
]);
/** The files an agent module can import. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
const DEFAULT_DEBOUNCE_MS = 200;

/**
 * Watches the directories of the agent modules, recursively, for source files that change, appear
 * or disappear: what `baton dev` restarts its workers on, as `trigger dev` rebuilds on a save. An
 * agent's imports usually live beside it; dependencies, builds and dot-directories are skipped so a
 * project's `node_modules` costs no watches.
 *
 * @example
 * ```ts
 * const watcher = await watchAgentFiles({ files: ['/app/agents.ts'], onChange: reload });
 * await watcher.close();
 * ```
 */
export async function watchAgentFiles(options: AgentWatcherOptions): Promise<AgentWatcher> {
  const directories = [...new Set(options.files.map((file) => dirname(file)))];
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let changed: string | undefined;
  const watcher = watch(directories, {
    ignoreInitial: true,
    ignored: (path, stats) => {
      const name = basename(path);
      if (stats?.isDirectory()) return IGNORED_DIRECTORIES.has(name) || name.startsWith('.');
      return stats?.isFile() === true && !SOURCE_FILE.test(name);
    },
  });
  watcher.on('all', (event, path) => {
    if (event === 'addDir' || event === 'unlinkDir' || !SOURCE_FILE.test(path)) return;
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
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
