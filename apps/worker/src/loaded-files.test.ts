import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// In a Node process of its own: the hook sees Node's loads, not the test runner's.
describe('recordLoadedFiles', () => {
  let project: string;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'baton-loaded-'));
    mkdirSync(join(project, 'agents'));
    mkdirSync(join(project, 'lib'));
    mkdirSync(join(project, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(project, 'lib', 'tools.ts'), 'export const tool = 1;\n');
    writeFileSync(join(project, 'node_modules', 'dep', 'index.js'), 'export const dep = 2;\n');
    writeFileSync(
      join(project, 'agents', 'index.ts'),
      "import { tool } from '../lib/tools.ts';\nimport { dep } from '../node_modules/dep/index.js';\nexport const total = tool + dep;\n",
    );
  });

  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it("lists the agent modules and the project's files they import, not node_modules", async () => {
    const script = `
      import { recordLoadedFiles } from ${JSON.stringify(join(import.meta.dirname, 'loaded-files.ts'))};
      const loaded = recordLoadedFiles();
      await import(${JSON.stringify(join(project, 'agents', 'index.ts'))});
      console.log(JSON.stringify(loaded.files()));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual([
      join(project, 'agents', 'index.ts'),
      join(project, 'lib', 'tools.ts'),
    ]);
  });
});
