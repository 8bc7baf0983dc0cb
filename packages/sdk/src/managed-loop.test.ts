import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { WaitForMessageOptions } from './agent-session.ts';
import { chat } from './chat.ts';
import { parseDurationInSeconds } from './runtime-settings.ts';
import { MemorySession } from './testing/memory-session.ts';
import { userMessage } from './testing/messages.ts';

/** A memory session that records the idle timeout of every wait. */
class TimedSession extends MemorySession {
  readonly idleTimeoutsMs: number[] = [];
  override waitForMessage(options?: WaitForMessageOptions) {
    if (options) this.idleTimeoutsMs.push(options.idleTimeoutMs);
    return super.waitForMessage(options);
  }
}

describe('maxTurns', () => {
  it('ends the run after maxTurns turns; the next run resumes the chat', async () => {
    const calls: string[] = [];
    const agent = chat.agent({
      id: 'bounded',
      maxTurns: 2,
      onChatSuspend: (event) => {
        calls.push(`suspend ${event.runId}`);
      },
      onChatResume: (event) => {
        calls.push(`resume ${event.runId}`);
      },
      run: ({ turn, runId }) => {
        calls.push(`run ${turn} ${runId}`);
      },
    });
    const session = new MemorySession();
    for (const text of ['a', 'b', 'c']) session.send(userMessage(text));

    // A message waits: the chat goes back to the queue for a new run on any worker.
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 30 })).toBe('handed-over');
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(calls).toEqual([
      'run 0 memory-run',
      'run 1 memory-run',
      'suspend memory-run',
      'resume memory-run-2',
      'run 2 memory-run-2',
      'suspend memory-run-2',
    ]);
    expect(session.runEnds).toEqual(['handed-over', 'suspended']);
  });

  it('suspends at maxTurns when nothing waits, and rejects a bound that is not a count', async () => {
    const agent = chat.agent({ id: 'one-turn', maxTurns: 1, run: () => undefined });
    const session = new MemorySession();
    session.send(userMessage('only'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 30 })).toBe('suspended');
    expect(() => chat.agent({ id: 'zero', maxTurns: 0, run: () => undefined })).toThrow(
      /maxTurns must be an integer >= 1/,
    );
    expect(() => chat.agent({ id: 'odd', turnTimeout: 'soon', run: () => undefined })).toThrow(
      /not a duration/,
    );
  });
});

describe('runtime settings', () => {
  it('uses the agent idle timeout, then the one chat.setIdleTimeoutInSeconds sets in a run', async () => {
    const agent = chat.agent({
      id: 'settable',
      idleTimeoutInSeconds: 5,
      turnTimeout: '2h',
      run: ({ turn }) => {
        if (turn === 0) chat.setIdleTimeoutInSeconds(90);
        chat.setTurnTimeout('30m');
        chat.setTurnTimeoutInSeconds(60);
      },
    });
    const session = new TimedSession();
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    await agent.runSession(session, { idleTimeoutInSeconds: 30 });
    expect(session.idleTimeoutsMs).toEqual([5000, 90_000, 90_000]);

    // Settings last for a run: the next one starts from the agent's options again.
    session.send(userMessage('c'));
    await agent.runSession(session, { idleTimeoutInSeconds: 30 });
    expect(session.idleTimeoutsMs.slice(3)).toEqual([5000, 5000]);
  });

  it('takes the worker default without an agent idle timeout, and refuses setters outside a run', async () => {
    const agent = chat.agent({ id: 'plain', run: () => undefined });
    const session = new TimedSession();
    session.send(userMessage('a'));
    await agent.runSession(session, { idleTimeoutInSeconds: 7 });
    expect(session.idleTimeoutsMs).toEqual([7000, 7000]);

    expect(() => chat.setIdleTimeoutInSeconds(10)).toThrow(/outside an agent's run/);
    expect(() => chat.setTurnTimeout('1h')).toThrow(/outside an agent's run/);
  });

  it("parses Trigger.dev's duration strings", () => {
    expect(parseDurationInSeconds('1h')).toBe(3600);
    expect(parseDurationInSeconds('30m')).toBe(1800);
    expect(parseDurationInSeconds('1h30m')).toBe(5400);
    expect(parseDurationInSeconds('45s')).toBe(45);
    expect(parseDurationInSeconds('2d')).toBe(172_800);
    expect(() => parseDurationInSeconds('1 hour')).toThrow(RangeError);
    expect(() => parseDurationInSeconds('')).toThrow(RangeError);
  });
});

describe('chat.withClientData', () => {
  it('types and validates client data, and runs builder hooks before the agent hooks', async () => {
    const calls: string[] = [];
    const agent = chat
      .withClientData({ schema: z.object({ userId: z.string() }) })
      .onTurnStart(({ clientData }) => {
        expectTypeOf(clientData).toEqualTypeOf<{ userId: string }>();
        calls.push(`builder turn-start ${clientData.userId}`);
      })
      .onChatSuspend(() => {
        calls.push('builder suspend');
      })
      .agent({
        id: 'typed',
        onTurnStart: ({ clientData }) => {
          calls.push(`agent turn-start ${clientData.userId}`);
        },
        run: ({ clientData }) => {
          expectTypeOf(clientData).toEqualTypeOf<{ userId: string }>();
          calls.push(`run ${clientData.userId}`);
        },
      });
    const session = new MemorySession();
    session.send(userMessage('hi'), { clientData: { userId: 'ada' } });
    session.send(userMessage('no user'), { clientData: {} });
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });

    expect(calls).toEqual([
      'builder turn-start ada',
      'agent turn-start ada',
      'run ada',
      'builder suspend',
    ]);
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'error']);
  });
});
