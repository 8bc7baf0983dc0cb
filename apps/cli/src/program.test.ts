import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, 'main.ts');

/** `baton <args>` as a process, without the settings of the test runner's environment. */
async function baton(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the baton command line', () => {
  it('prints its version', async () => {
    const { code, stdout } = await baton(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('documents each setting of a process with its flag and its variable', async () => {
    const { stdout } = await baton(['gateway', '--help']);
    expect(stdout).toMatch(/--secret <key>[\s\S]*\(env:\s+BATON_SECRET\)/);
    expect(stdout).toMatch(/--cors-origins <origins>[\s\S]*\(env:\s+BATON_CORS_ORIGINS\)/);
  });

  it('refuses to start a process without a required setting, naming the flag', async () => {
    expect(await baton(['worker'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--agents (BATON_AGENTS): required'),
    });
    expect(await baton(['gateway', '--secret', 'short'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--secret (BATON_SECRET): must be at least 16 characters'),
    });
  });

  it('says what it does not know', async () => {
    const { code, stderr } = await baton(['deploy']);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'deploy'");
  });
});
