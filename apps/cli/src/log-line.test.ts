import { describe, expect, it } from 'vitest';
import { formatLogLine, isLogLevel, LOG_LEVELS } from './log-line.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ time: 1, pid: 2, hostname: 'host', service: 'baton-worker', ...fields });

describe('formatLogLine', () => {
  it('shows a pino line as its level, message and own fields', () => {
    expect(
      formatLogLine(line({ level: 40, workerId: 'worker-1', msg: 'slow', chatId: 'c' }), 40),
    ).toBe('WARN slow {"chatId":"c"}');
  });

  it('hides lines below the minimum level', () => {
    expect(formatLogLine(line({ level: 30, msg: 'worker started' }), LOG_LEVELS.warn)).toBe(
      undefined,
    );
    expect(formatLogLine(line({ level: 60, msg: 'down' }), LOG_LEVELS.silent)).toBe(undefined);
  });

  it("puts an error's stack below the line", () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at run (x.ts:1:1)' };
    expect(formatLogLine(line({ level: 50, msg: 'run failed', err, jobId: 'j' }), 0)).toBe(
      'ERROR run failed {"jobId":"j"}\nError: boom\n    at run (x.ts:1:1)',
    );
  });

  it('passes other output through', () => {
    expect(formatLogLine('node:internal/modules/run_main:123', LOG_LEVELS.fatal)).toBe(
      'node:internal/modules/run_main:123',
    );
    expect(formatLogLine('{not json', LOG_LEVELS.fatal)).toBe('{not json');
    expect(formatLogLine('{"level":"warn"}', LOG_LEVELS.fatal)).toBe('{"level":"warn"}');
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
