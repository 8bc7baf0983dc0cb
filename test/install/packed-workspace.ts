import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

// Baton's packages as a user gets them. The workspace is copied first (the files git tracks or
// would track) and built and packed there: a build in the checkout would swap `dist/` directories
// under the tests that run beside this one, and the copy proves a fresh clone builds.

export const run = promisify(execFile);
export const REPOSITORY = join(import.meta.dirname, '..', '..');
const NODE_22 = '22';

/** A packed package: its name and its tarball. */
export type PackedPackage = { name: string; tarball: string };

/**
 * Copies the workspace into a scratch directory, installs it offline from the pnpm store the
 * checkout was installed from, builds every package and packs each public one (no `private`)
 * into `destination`.
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
    await run('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: workspace });
    const packed: PackedPackage[] = [];
    for (const directory of publicPackageDirectories(workspace)) {
      const { name } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
      const before = new Set(readdirSync(destination));
      await run('pnpm', ['pack', '--pack-destination', destination], { cwd: directory });
      const tarball = readdirSync(destination).find((file) => !before.has(file));
      if (tarball === undefined) throw new Error(`pnpm pack of ${name} wrote no tarball`);
      packed.push({ name, tarball: join(destination, tarball) });
    }
    return packed;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function publicPackageDirectories(workspace: string): string[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(workspace, group))
      .map((name) => join(workspace, group, name))
      .filter((directory) => {
        const manifest = join(directory, 'package.json');
        return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).private !== true;
      }),
  );
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
