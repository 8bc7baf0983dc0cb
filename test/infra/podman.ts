import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from '@baton/testing';
import { packPublicPackages } from '../install/packed-workspace.ts';

// Podman for the infra tests, with the settings this machine kind needs
// (infra/podman/containers.conf: runc, explicit ulimits).

const execFileAsync = promisify(execFile);

export const INFRA = join(REPOSITORY_ROOT, 'infra');
export const CONTAINERS_CONF = join(INFRA, 'podman', 'containers.conf');
/** The tag of the images these tests build, apart from a developer's `dev` images. */
export const IMAGE_TAG = 'test';

/** The environment every podman call of the tests runs with. */
export function podmanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF, ...extra };
}

/** Fails loudly, naming the packages to install, when a tool of the infra tests is missing. */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing: apt-get install podman buildah debootstrap runc ` +
        'podman-compose (see .ci/run)',
    );
  }
}

/** Runs a command with the podman settings; rejects with its output when it fails. */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: options.cwd ?? REPOSITORY_ROOT,
      env: podmanEnvironment(options.env),
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 120_000,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr ?? ''}\n${stdout ?? ''}`);
  }
}

/** `podman <args>`. */
export function podman(args: readonly string[], timeoutMs?: number): Promise<string> {
  return run('podman', args, timeoutMs === undefined ? {} : { timeoutMs });
}

/**
 * Builds the gateway, worker, redis and haproxy images tagged {@link IMAGE_TAG}, from the packages
 * packed in a copy of the workspace: packing in the checkout would rebuild the `dist/` of the
 * playground that other tests serve at that moment.
 */
export async function buildImages(): Promise<void> {
  const packs = mkdtempSync(join(tmpdir(), 'baton-image-packs-'));
  try {
    await packPublicPackages(packs);
    await run(join(INFRA, 'build-images.sh'), [IMAGE_TAG], {
      env: { BATON_PACKS_DIR: packs },
      timeoutMs: 900_000,
    });
  } finally {
    rmSync(packs, { recursive: true, force: true });
  }
}
