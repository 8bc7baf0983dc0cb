import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff.ts';

describe('RestartBackoff', () => {
  it('waits 1 s, then doubles with each death in a row up to 30 s', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 7 }, () => backoff.nextDelayMs(500));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('starts over once the process stayed up a minute', () => {
    const backoff = new RestartBackoff();
    backoff.nextDelayMs(500);
    backoff.nextDelayMs(500);
    expect(backoff.nextDelayMs(59_999)).toBe(4_000);
    expect(backoff.nextDelayMs(60_000)).toBe(1_000);
    expect(backoff.nextDelayMs(10)).toBe(2_000);
  });
});
