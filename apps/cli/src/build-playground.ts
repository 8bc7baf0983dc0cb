import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaygroundBuild } from './cli-paths.ts';
import type { ProcessGroup } from './process-group.ts';

/**
 * Whether the built playground is missing or older than any of its sources: the check that makes
 * a second `baton dev` skip the build.
 */
export function isPlaygroundStale(build: PlaygroundBuild, output: string): boolean {
  const builtAtMs = modifiedAtMs(join(output, 'index.html'));
  if (builtAtMs === undefined) return true;
  return build.sources.some((source) => newestModifiedAtMs(source) > builtAtMs);
}

/**
 * Runs `vite build` of apps/demo into a fresh directory, then swaps it in for the served one.
 * Building in place would empty the directory that a running gateway (another `baton dev`, an
 * e2e test) is serving for the seconds the build takes; the swap leaves a gap of two renames.
 */
export async function buildPlayground(
  group: ProcessGroup,
  build: PlaygroundBuild,
  output: string,
  signal: AbortSignal,
): Promise<void> {
  const staging = `${output}.build-${process.pid}`;
  // The gateway, started meanwhile, warns once about a static root that does not exist.
  mkdirSync(output, { recursive: true });
  const vite = group.spawn({
    name: 'build',
    command: process.execPath,
    args: [build.viteBinary, 'build', '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'],
    env: process.env,
    cwd: build.demoDirectory,
    isTask: true,
  });
  const onAbort = () => vite.killNow();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const status = await vite.exited;
    signal.throwIfAborted();
    if (status.code !== 0) {
      throw new Error(`the playground build failed (vite build exited with ${describe(status)})`);
    }
    swapDirectory(staging, output);
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
