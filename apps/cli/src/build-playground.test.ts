import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPlaygroundStale } from './build-playground.ts';
import { type PlaygroundBuild, playgroundBuild } from './cli-paths.ts';

describe('isPlaygroundStale', () => {
  let root: string;
  let build: PlaygroundBuild;
  let output: string;

  beforeEach(() => {
    root = `${mkdtempSync(join(tmpdir(), 'baton-cli-'))}/`;
    build = playgroundBuild(`${root}apps/demo`, `${root}apps/demo/node_modules/vite/bin/vite.js`);
    output = `${root}apps/demo/dist/web`;
    mkdirSync(`${root}apps/demo/web/src`, { recursive: true });
    mkdirSync(`${root}packages/client/src`, { recursive: true });
    writeFileSync(`${root}apps/demo/web/src/app.tsx`, '');
    writeFileSync(`${root}apps/demo/vite.config.ts`, '');
    writeFileSync(`${root}packages/client/src/index.ts`, '');
    for (const source of [
      'apps/demo/web/src/app.tsx',
      'apps/demo/web/src',
      'apps/demo/web',
      'apps/demo/vite.config.ts',
      'packages/client/src/index.ts',
      'packages/client/src',
    ]) {
      setModifiedAt(`${root}${source}`, 1_000);
    }
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const buildAt = (atSeconds: number) => {
    mkdirSync(output, { recursive: true });
    writeFileSync(`${output}/index.html`, '');
    setModifiedAt(`${output}/index.html`, atSeconds);
  };

  it('is stale when the page was never built', () => {
    expect(isPlaygroundStale(build, output)).toBe(true);
  });

  it('is fresh when the build is newer than every source', () => {
    buildAt(2_000);
    expect(isPlaygroundStale(build, output)).toBe(false);
  });

  it.each([
    'apps/demo/web/src/app.tsx',
    'apps/demo/vite.config.ts',
    'packages/client/src/index.ts',
  ])('is stale once %s changed after the build', (source) => {
    buildAt(2_000);
    setModifiedAt(`${root}${source}`, 3_000);
    expect(isPlaygroundStale(build, output)).toBe(true);
  });

  it('ignores node_modules under the sources', () => {
    buildAt(2_000);
    mkdirSync(`${root}apps/demo/web/node_modules/.vite`, { recursive: true });
    writeFileSync(`${root}apps/demo/web/node_modules/.vite/cache`, '');
    setModifiedAt(`${root}apps/demo/web/node_modules`, 3_000);
    setModifiedAt(`${root}apps/demo/web/node_modules/.vite/cache`, 3_000);
    setModifiedAt(`${root}apps/demo/web`, 1_000);
    expect(isPlaygroundStale(build, output)).toBe(false);
  });
});

function setModifiedAt(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}
