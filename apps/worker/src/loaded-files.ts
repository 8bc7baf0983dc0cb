import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The files of the modules loaded since {@link recordLoadedFiles} was called. */
export type LoadedFiles = { files(): string[] };

/**
 * Records the source files Node loads from now on, outside `node_modules`: called just before a
 * worker imports its agent modules, it yields the agents and everything they import of the
 * project's own, which `baton dev` watches to restart its workers (an import from `../lib` included).
 * A synchronous in-thread module hook (`module.registerHooks`, Node 22.15+), passing every load on.
 */
export function recordLoadedFiles(): LoadedFiles {
  const files = new Set<string>();
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:') && !url.includes('/node_modules/')) {
        files.add(fileURLToPath(url));
      }
      return nextLoad(url, context);
    },
  });
  return { files: () => [...files].sort() };
}
