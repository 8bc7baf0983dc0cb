import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup } from './process-group.ts';
import type { RepositoryPaths } from './repository-paths.ts';

/**
 * Whether the built playground is missing or older than any of its sources: the check that makes
 * a second `baton dev` skip the build.
 */
export function isPlaygroundStale(paths: RepositoryPaths): boolean {
  const builtAtMs = modifiedAtMs(join(paths.playgroundOutput, 'index.html'));
  if (builtAtMs === undefined) return true;
  return paths.playgroundSources.some((source) => newestModifiedAtMs(source) > builtAtMs);
}

/**
 * Runs `vite build` of apps/demo into a fresh directory, then swaps it in for the served one.
 * Building in place would empty the directory that a running gateway (another `baton dev`, an
 * e2e test) is serving for the seconds the build takes; the swap leaves a gap of two renames.
 */
export async function buildPlayground(
  group: ProcessGroup,
  paths: RepositoryPaths,
  signal: AbortSignal,
): Promise<void> {
  const staging = `${paths.playgroundOutput}.build-${process.pid}`;
  // The gateway, started meanwhile, warns once about a static root that does not exist.
  mkdirSync(paths.playgroundOutput, { recursive: true });
  const build = group.spawn({
    name: 'build',
    command: process.execPath,
    args: [paths.viteBinary, 'build', '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'],
    env: process.env,
    cwd: paths.demoDirectory,
    isTask: true,
  });
  const onAbort = () => build.killNow();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const status = await build.exited;
    signal.throwIfAborted();
    if (status.code !== 0) {
      throw new Error(`the playground build failed (vite build exited with ${describe(status)})`);
    }
    swapDirectory(staging, paths.playgroundOutput);
  } finally {
    signal.removeEventListener('abort', onAbort);
    rmSync(staging, { recursive: true, force: true });
  }
}

function swapDirectory(built: string, target: string): void {
  const previous = `${target}.old-${process.pid}`;
  try {
    renameSync(target, previous);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
  }
  try {
    renameSync(built, target);
  } catch (error) {
    // A concurrent build swapped its own output in between: it is as fresh as ours.
    if (!hasCode(error, 'ENOTEMPTY') && !hasCode(error, 'EEXIST')) throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}

function newestModifiedAtMs(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestModifiedAtMs(join(path, entry.name)));
  }
  return newest;
}

function modifiedAtMs(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function describe(status: { code: number | null; signal: string | null }): string {
  return status.signal ?? `code ${status.code}`;
}
