import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createGatewayChat,
  freePort,
  startServiceProcess,
  textOf,
  waitUntil,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { node22, run } from './packed-workspace.ts';

// Baton as a user installs it: every public package built, packed, and installed with npm into a
// project outside the repository. There an agent module is type-checked against the installed
// declarations, run on Node 24 and Node 22, and served by `baton dev --agents ./agents/echo.ts` to the
// stock AI SDK client.

const SECRET = 'a-secret-of-the-install-test';
/** Variables of the test runner's environment that would point `baton dev` elsewhere. */
const ISOLATED = [
  'REDIS_URL',
  'BATON_REDIS_PORT',
  'BATON_SECRET',
  'BATON_AGENTS',
  'BATON_WORKERS',
  'BATON_WATCH',
  'BATON_SKIP_BUILD',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'FORCE_COLOR',
];

const packed = inject('packedPackages');
let project: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'baton-user-app-'));
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
  copyFileSync(join(import.meta.dirname, 'fixtures', 'user-agent.ts'), join(project, 'harness.ts'));
  // The user's agents: agents/echo.ts, importing lib/greeting.ts.
  cpSync(join(import.meta.dirname, 'fixtures', 'project'), project, { recursive: true });
  // `@types/json-schema`: the AI SDK's provider types import it without depending on it.
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...packed.map((entry) => entry.tarball),
      'ai@^7',
      'zod@^4',
      'typescript@6',
      '@types/node@24',
      '@types/json-schema',
    ],
    { cwd: project },
  );
}, 300_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const nodes: [string, () => Promise<string>][] = [
  ['24', () => Promise.resolve(process.execPath)],
  ['22', node22],
];

describe('the packed packages, installed with npm in a project of its own', () => {
  it('are every public package, holding built JavaScript only', async () => {
    expect(packed.map((entry) => entry.name).sort()).toEqual([
      '@baton/cli',
      '@baton/client',
      '@baton/demo',
      '@baton/gateway',
      '@baton/protocol',
      '@baton/redis',
      '@baton/sdk',
      '@baton/session-store',
      '@baton/worker',
    ]);
    for (const { name, tarball } of packed) {
      const { stdout } = await run('tar', ['tzf', tarball]);
      const files = stdout.trim().split('\n');
      const sources = files.filter((file) => /\.[cm]?ts$/.test(file) && !file.endsWith('.d.ts'));
      expect(sources, name).toEqual([]);
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'),
      );
      expect(JSON.stringify(manifest), name).not.toMatch(/workspace:|\.\/src\//);
    }
    const sdk = packed.find((entry) => entry.name === '@baton/sdk');
    const { stdout } = await run('tar', ['tzf', sdk?.tarball ?? '']);
    expect(stdout).toContain('package/dist/index.d.ts');
  });

  it('type-check an agent module that imports @baton/sdk', async () => {
    await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project });
  }, 120_000);

  it.each(nodes)(
    'run the agent on Node %s',
    async (major, nodeBinary) => {
      const { stdout } = await run(await nodeBinary(), ['harness.ts'], { cwd: project });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      expect(result).toMatchObject({ text: 'Hello from an installed Baton.', status: 'complete' });
      expect(result.node.split('.')[0]).toBe(major);
    },
    180_000,
  );
});

describe('baton dev --agents ./agents/echo.ts, from the installed packages', () => {
  it.each(nodes)(
    'serves the agent to the stock AI SDK client on Node %s, and reloads it when it changes',
    async (major, nodeBinary) => {
      const port = await freePort();
      const dev = await startServiceProcess({
        name: 'baton dev',
        node: await nodeBinary(),
        // The `baton` that npm linked, as `npx baton` runs it.
        script: join(project, 'node_modules', '.bin', 'baton'),
        args: ['dev', '--agents', './agents/echo.ts', '--port', String(port), '--secret', SECRET],
        cwd: project,
        env: Object.fromEntries(ISOLATED.map((name) => [name, undefined])),
        readyPattern: /Baton is running/,
        readyTimeoutMs: 60_000,
      });
      // Imported by the agent from outside its directory: the reload follows the import graph.
      const greetingFile = join(project, 'lib', 'greeting.ts');
      const original = readFileSync(greetingFile, 'utf8');
      try {
        const gatewayUrl = `http://localhost:${port}`;
        // The playground ships built in @baton/demo and offers the user's agent.
        const page = await fetch(gatewayUrl);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<div id="root">');
        const listed = (await (await fetch(`${gatewayUrl}/playground/agents`)).json()) as {
          agents: { id: string }[];
        };
        expect(listed.agents.map((agent) => agent.id)).toEqual(['echo']);

        const { createSession } = await importInstalled('@baton/client');
        const { chatId, token } = await createSession({
          baseUrl: gatewayUrl,
          secret: SECRET,
          agent: 'echo',
        });
        const chat = createGatewayChat({ gatewayUrl, chatId, token });
        const version = String.raw`${major}\.\d+\.\d+`;
        await chat.sendMessage({ text: 'hi' });
        expect(textOf(chat.messages.at(-1)), dev.output()).toMatch(
          new RegExp(`^Hello from Node ${version}, turn 1\\.$`),
        );
        await chat.sendMessage({ text: 'again' });
        expect(textOf(chat.messages.at(-1))).toMatch(/^Hello from Node .*, turn 2\.$/);

        // An edit of a file the agent imports: the workers restart one at a time and answer
        // with it.
        writeFileSync(greetingFile, original.replace("GREETING = 'Hello'", "GREETING = 'Changed'"));
        await waitUntil(() => dev.output().includes('workers reloaded'), {
          description: 'the workers reloaded',
          timeoutMs: 60_000,
        });
        await chat.sendMessage({ text: 'and now?' });
        expect(textOf(chat.messages.at(-1)), dev.output()).toMatch(
          /^Changed from Node .*, turn 3\.$/,
        );
        expect(chat.status).toBe('ready');
      } finally {
        writeFileSync(greetingFile, original);
        await dev.stop(15_000);
      }
      expect(dev.output()).toContain('[baton] stopped');
    },
    180_000,
  );
});

/** A package of the user's project, imported from its `node_modules` as the project would. */
async function importInstalled(name: string) {
  const manifest = JSON.parse(
    readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'),
  );
  const entry = manifest.exports['.'].default as string;
  return await import(pathToFileURL(join(project, 'node_modules', name, entry)).href);
}
