import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ManagedProcess, ProcessGroup } from './process-group.ts';
import { WorkerReloader } from './worker-reloader.ts';

// Real child processes standing in for workers: each reads `mode` when it starts, prints the ready
// line unless the file says `broken` (then it exits 1, as a worker whose agents fail to import),
// and records the order of its starts and stops in `events`.
const FAKE_WORKER = `
const { readFileSync, appendFileSync } = require('node:fs');
const [mode, events, name] = process.argv.slice(1);
if (readFileSync(mode, 'utf8') === 'broken') { console.error('SyntaxError: agents.ts'); process.exit(1); }
appendFileSync(events, 'start ' + name + '\\n');
console.log('{"msg":"worker started"}');
process.on('SIGTERM', () => { appendFileSync(events, 'stop ' + name + '\\n'); process.exit(0); });
setInterval(() => {}, 1000);
`;

describe('WorkerReloader', () => {
  let directory: string;
  let group: ProcessGroup;
  let lines: string[];
  const stopping = new AbortController();

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'baton-reload-'));
    writeFileSync(join(directory, 'mode'), 'ok');
    writeFileSync(join(directory, 'events'), '');
    group = new ProcessGroup({ write: () => {} });
    lines = [];
  });

  afterEach(async () => {
    await group.stop(group.processes, 2_000);
    rmSync(directory, { recursive: true, force: true });
  });

  const startWorker = async (name: string) => {
    const worker = group.spawn({
      name,
      command: process.execPath,
      args: ['-e', FAKE_WORKER, join(directory, 'mode'), join(directory, 'events'), name],
      env: process.env,
      cwd: directory,
    });
    await worker.waitForLine(/worker started/, AbortSignal.timeout(10_000));
    return worker;
  };

  const reloader = (signal = stopping.signal) =>
    new WorkerReloader({
      group,
      isWorker: (managed) => managed.name.startsWith('worker-'),
      waitUntilReady: (managed: ManagedProcess, signal) =>
        managed.waitForLine(/worker started/, signal),
      graceMs: 2_000,
      readyTimeoutMs: 10_000,
      signal,
      say: (line) => lines.push(line),
      sayError: (line) => lines.push(`error: ${line}`),
      showRecentLines: async () => {},
    });

  const events = () => readFileSync(join(directory, 'events'), 'utf8').trim().split('\n');

  it('restarts the workers one at a time, each ready before the next stops', async () => {
    const first = await startWorker('worker-1');
    await startWorker('worker-2');
    const subject = reloader();
    subject.request('agents.ts changed');
    await subject.settled();
    expect(events()).toEqual([
      'start worker-1',
      'start worker-2',
      'stop worker-1',
      'start worker-1',
      'stop worker-2',
      'start worker-2',
    ]);
    expect(group.processes.map((managed) => managed.name)).toEqual(['worker-1', 'worker-2']);
    expect(group.processes).not.toContain(first);
    expect(lines.at(-1)).toMatch(/^workers reloaded in/);
  });

  it('stops the roll at the first worker that cannot start, leaving the others running', async () => {
    await startWorker('worker-1');
    const second = await startWorker('worker-2');
    writeFileSync(join(directory, 'mode'), 'broken');
    const subject = reloader();
    subject.request('agents.ts changed');
    await subject.settled();
    expect(events()).toEqual(['start worker-1', 'start worker-2', 'stop worker-1']);
    expect(second.hasExited).toBe(false);
    expect(lines.at(-1)).toMatch(/^error: worker-1 did not start with the changed agents/);
  });

  it('says nothing about the change when baton dev stops during the roll', async () => {
    await startWorker('worker-1');
    await startWorker('worker-2');
    const stopping = new AbortController();
    const subject = reloader(stopping.signal);
    subject.request('agents.ts changed');
    stopping.abort();
    await subject.settled();
    expect(lines.filter((line) => line.startsWith('error:'))).toEqual([]);
    expect(lines.some((line) => line.startsWith('workers reloaded'))).toBe(false);
  });

  it('folds changes made during a reload into one more reload', async () => {
    await startWorker('worker-1');
    const subject = reloader();
    subject.request('a.ts changed');
    subject.request('b.ts changed');
    subject.request('c.ts changed');
    await subject.settled();
    expect(lines.filter((line) => line.includes('restarting'))).toEqual([
      'a.ts changed: restarting the workers one at a time',
      'c.ts changed: restarting the workers one at a time',
    ]);
  });
});
