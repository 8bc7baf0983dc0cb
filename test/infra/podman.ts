import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from '@baton/testing';

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

/** Builds the gateway, worker, redis and haproxy images tagged {@link IMAGE_TAG}. */
export async function buildImages(): Promise<void> {
  await run(join(INFRA, 'build-images.sh'), [IMAGE_TAG], { timeoutMs: 900_000 });
}
