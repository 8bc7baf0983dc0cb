// `pnpm pack-packages [destination]`: builds every package of the workspace and packs each public
// one (no `private`) into `destination` (default `.baton/packs`), the tarballs a user installs
// with `npm install` until Baton is on the npm registry. The container image and the install
// test install the same tarballs.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A packed package: its name and its tarball. */
export type PackedPackage = { name: string; tarball: string };

/** Builds the workspace at `workspace` and packs its public packages into `destination`. */
export async function packWorkspace(
  workspace: string,
  destination: string,
): Promise<PackedPackage[]> {
  mkdirSync(destination, { recursive: true });
  await run('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: workspace });
  const packed: PackedPackage[] = [];
  for (const directory of publicPackageDirectories(workspace)) {
    const { name, version } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    const tarball = join(destination, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
    rmSync(tarball, { force: true });
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: directory });
    if (!existsSync(tarball)) throw new Error(`pnpm pack of ${name} did not write ${tarball}`);
    packed.push({ name, tarball });
  }
  return packed;
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

if (import.meta.main) {
  const root = join(import.meta.dirname, '..');
  const destination = resolve(process.argv[2] ?? join(root, '.baton', 'packs'));
  for (const { tarball } of await packWorkspace(root, destination)) console.log(tarball);
}
