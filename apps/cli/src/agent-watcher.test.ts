import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentWatcher, watchAgentFiles } from './agent-watcher.ts';

describe('watchAgentFiles', () => {
  let project: string;
  let watcher: AgentWatcher | undefined;
  let changes: string[];

  beforeEach(async () => {
    project = mkdtempSync(join(tmpdir(), 'baton-watch-'));
    mkdirSync(join(project, 'lib'));
    for (const file of ['agents.ts', 'lib/tools.ts', 'notes.ts']) {
      writeFileSync(join(project, file), '// v1\n');
    }
    changes = [];
    watcher = await watchAgentFiles({
      files: [join(project, 'agents.ts')],
      onChange: (file) => changes.push(file),
      debounceMs: 50,
    });
  });

  afterEach(async () => {
    await watcher?.close();
    rmSync(project, { recursive: true, force: true });
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  it('reports a burst of writes to an agent module once', async () => {
    for (const version of ['v2', 'v3', 'v4']) {
      writeFileSync(join(project, 'agents.ts'), `// ${version}\n`);
    }
    await waitUntil(() => changes.length > 0, { description: 'a change', timeoutMs: 5_000 });
    await settle();
    expect(changes).toEqual([join(project, 'agents.ts')]);
  });

  it('follows the files the workers reported, outside the agent directory too, and no others', async () => {
    watcher?.setFiles([join(project, 'agents.ts'), join(project, 'lib', 'tools.ts')]);
    await settle();
    writeFileSync(join(project, 'notes.ts'), '// not imported\n');
    await settle();
    expect(changes).toEqual([]);
    writeFileSync(join(project, 'lib', 'tools.ts'), '// v2\n');
    await waitUntil(() => changes.length > 0, { description: 'a change', timeoutMs: 5_000 });
    expect(changes).toEqual([join(project, 'lib', 'tools.ts')]);

    // A file no longer imported is no longer watched; the agent module always is.
    watcher?.setFiles([]);
    await settle();
    writeFileSync(join(project, 'lib', 'tools.ts'), '// v3\n');
    await settle();
    expect(changes).toHaveLength(1);
    writeFileSync(join(project, 'agents.ts'), '// v2\n');
    await waitUntil(() => changes.length > 1, { description: 'a change', timeoutMs: 5_000 });
  });
});
