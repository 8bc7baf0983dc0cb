import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type PackedPackage, packWorkspace } from '../../scripts/pack-packages.ts';

export type { PackedPackage };

// Baton's packages as a user gets them. The workspace is copied first (the files git tracks or
// would track) and built and packed there: a build in the checkout would swap `dist/` directories
// under the tests that run beside this one, and the copy proves a fresh clone builds.

export const run = promisify(execFile);
export const REPOSITORY = join(import.meta.dirname, '..', '..');
const NODE_22 = '22';

/**
 * Copies the workspace into a scratch directory, installs it offline from the pnpm store the
 * checkout was installed from, then builds it and packs each public package into `destination`
 * (scripts/pack-packages.ts).
 */
export async function packPublicPackages(destination: string): Promise<PackedPackage[]> {
  const workspace = mkdtempSync(join(tmpdir(), 'baton-workspace-'));
  try {
    const { stdout } = await run(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      { cwd: REPOSITORY, maxBuffer: 64 * 1024 * 1024 },
    );
    for (const file of stdout.split('\0')) {
      if (file === '' || !existsSync(join(REPOSITORY, file))) continue;
      cpSync(join(REPOSITORY, file), join(workspace, file), { recursive: true });
    }
    await run('pnpm', ['install', '--offline', '--frozen-lockfile', '--silent'], {
      cwd: workspace,
    });
    return await packWorkspace(workspace, destination);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The official Node 22 binary, from the npm registry's node-linux-<arch> package, cached. */
export async function node22(): Promise<string> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const tools =
    process.env.BATON_TOOLS_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'baton-tools');
  const home = join(tools, `node-${NODE_22}-latest`);
  const binary = join(home, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const staging = `${home}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  await run('npm', [
    'install',
    '--loglevel=error',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--prefix',
    staging,
    `node-linux-${arch}@${NODE_22}`,
  ]);
  mkdirSync(dirname(binary), { recursive: true });
  renameSync(join(staging, 'node_modules', `node-linux-${arch}`, 'bin', 'node'), binary);
  rmSync(staging, { recursive: true, force: true });
  return binary;
}
