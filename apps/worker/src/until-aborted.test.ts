import { describe, expect, it } from 'vitest';
import { untilAborted } from './until-aborted.ts';

describe('untilAborted', () => {
  it('settles as the promise does while the signal stays quiet', async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve('done'), signal)).resolves.toBe('done');
    await expect(untilAborted(Promise.reject(new Error('failed')), signal)).rejects.toThrow(
      'failed',
    );
  });

  it('rejects with the abort reason while the promise never settles', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(new Promise<never>(() => {}), controller.signal);
    const reason = new Error('lease lost');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once on a signal aborted before', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toThrow('already');
  });

  it('leaves no unhandled rejection behind when the abandoned promise fails later', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const controller = new AbortController();
      let failLater: (error: Error) => void = () => {};
      const abandoned = new Promise<never>((_, reject) => {
        failLater = reject;
      });
      const waiting = untilAborted(abandoned, controller.signal);
      controller.abort(new Error('cancelled'));
      await expect(waiting).rejects.toThrow('cancelled');
      failLater(new Error('late failure'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
