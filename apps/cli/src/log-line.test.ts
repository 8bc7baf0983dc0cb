import { describe, expect, it } from 'vitest';
import { createLogLineFormatter, isLogLevel, type LogLevel } from './log-line.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ time: 1, pid: 2, hostname: 'host', service: 'baton-worker', ...fields });

const plain = (minimumLevel: LogLevel) =>
  createLogLineFormatter({ minimumLevel, isColored: false });

describe('createLogLineFormatter', () => {
  it('shows a pino line as its level, message and own fields', () => {
    expect(plain('warn')(line({ level: 40, workerId: 'worker-1', msg: 'slow', chatId: 'c' }))).toBe(
      'WARN: slow {"chatId":"c"}',
    );
  });

  it('hides lines below the minimum level', () => {
    expect(plain('warn')(line({ level: 30, msg: 'worker started' }))).toBe(undefined);
    expect(plain('silent')(line({ level: 60, msg: 'down' }))).toBe(undefined);
    expect(plain('trace')(line({ level: 10, msg: 'tick' }))).toBe('TRACE: tick');
  });

  it("puts an error's stack below the line", () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at run (x.ts:1:1)' };
    const shown = plain('trace')(line({ level: 50, msg: 'run failed', err, jobId: 'j' })) ?? '';
    const [first, ...below] = shown.split('\n');
    expect(first).toBe('ERROR: run failed {"jobId":"j"}');
    expect(below.join('\n')).toMatch(/Error: boom\n\s+at run \(x\.ts:1:1\)/);
  });

  it('passes other output through, even when silent', () => {
    for (const level of ['fatal', 'silent'] as const) {
      expect(plain(level)('node:internal/modules/run_main:123')).toBe(
        'node:internal/modules/run_main:123',
      );
      expect(plain(level)('{not json')).toBe('{not json');
      expect(plain(level)('')).toBe('');
    }
  });

  it('colours only when asked to', () => {
    const warning = line({ level: 40, msg: 'slow' });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI escape is what is looked for
    const ansi = /\u001b\[/;
    expect(createLogLineFormatter({ minimumLevel: 'info', isColored: true })(warning)).toMatch(
      ansi,
    );
    expect(plain('info')(warning)).not.toMatch(ansi);
  });
});

describe('isLogLevel', () => {
  it('accepts pino level names only', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('silent')).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
    expect(isLogLevel('toString')).toBe(false);
  });
});
