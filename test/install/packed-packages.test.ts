import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Baton's public packages as a user gets them: built to JavaScript with types, packed with
// `pnpm pack`, installed with npm into a project outside the repository, then an agent module
// that imports `@baton/sdk` is type-checked and run there on Node 24 and on Node 22.

const run = promisify(execFile);
const REPOSITORY = join(import.meta.dirname, '..', '..');
const PACKAGES = ['protocol', 'sdk', 'client'];
const NODE_22 = '22';

let project: string;
let packs: string;

/** The official Node 22 binary, from the npm registry's node-linux-<arch> package, cached. */
async function node22(): Promise<string> {
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

beforeAll(async () => {
  packs = mkdtempSync(join(tmpdir(), 'baton-packs-'));
  project = mkdtempSync(join(tmpdir(), 'baton-user-app-'));
  const filters = PACKAGES.flatMap((name) => ['--filter', `@baton/${name}`]);
  await run('pnpm', ['--silent', ...filters, 'run', 'build'], { cwd: REPOSITORY });
  for (const name of PACKAGES) {
    await run('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(REPOSITORY, 'packages', name),
    });
  }
  const tarballs = readdirSync(packs).map((file) => join(packs, file));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type: 'module' }),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2024',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        types: ['node'],
        // Our declarations are checked too, not skipped.
        skipLibCheck: false,
      },
    }),
  );
  copyFileSync(join(import.meta.dirname, 'user-agent.ts'), join(project, 'agents.ts'));
  // `@types/json-schema`: the AI SDK's provider types import it without depending on it.
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      'ai@^7',
      'zod@^4',
      'typescript@6',
      '@types/node@24',
      '@types/json-schema',
    ],
    { cwd: project },
  );
}, 240_000);

afterAll(() => {
  for (const directory of [project, packs])
    if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('the packed packages, installed with npm in a project of its own', () => {
  it('hold built JavaScript and types only', async () => {
    const { stdout } = await run('tar', ['tzf', join(packs, 'baton-sdk-0.1.0.tgz')]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('type-check an agent module that imports @baton/sdk', async () => {
    await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project });
  }, 120_000);

  it.each([
    ['24', () => Promise.resolve(process.execPath)],
    ['22', node22],
  ])(
    'run the agent on Node %s',
    async (major, nodeBinary) => {
      const { stdout } = await run(await nodeBinary(), ['agents.ts'], { cwd: project });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      expect(result).toMatchObject({ text: 'Hello from an installed Baton.', status: 'complete' });
      expect(result.node.split('.')[0]).toBe(major);
    },
    180_000,
  );
});
