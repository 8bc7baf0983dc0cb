import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { WaitForMessageOptions } from './agent-session.ts';
import { chat } from './chat.ts';
import type { ChatAgentOptions } from './chat-agent-options.ts';
import { type Logger, SILENT_LOGGER } from './logger.ts';
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

/** An agent whose every hook records its name, run id, `preloaded` flag and phase. */
function recordingAgent(calls: string[], options: Partial<ChatAgentOptions> = {}) {
  const flag = (event: { preloaded: boolean }) => (event.preloaded ? 'preloaded' : 'cold');
  return chat.agent({
    id: 'recording',
    onPreload: ({ runId, clientData }) => {
      calls.push(`onPreload ${runId} ${JSON.stringify(clientData)}`);
    },
    onChatSuspend: (event) => {
      calls.push(`onChatSuspend ${event.phase} ${event.runId} ${JSON.stringify(event.clientData)}`);
    },
    onChatResume: (event) => {
      calls.push(`onChatResume ${event.phase} ${event.runId}`);
    },
    onValidateMessages: ({ messages }) => {
      calls.push('onValidateMessages');
      return messages;
    },
    onChatStart: (event) => {
      calls.push(`onChatStart ${event.runId} ${flag(event)}`);
    },
    onTurnStart: (event) => {
      calls.push(`onTurnStart ${event.turn} ${event.runId} ${flag(event)}`);
    },
    onTurnComplete: (event) => {
      calls.push(`onTurnComplete ${event.turn} ${event.runId} ${flag(event)}`);
    },
    run: (payload) => {
      calls.push(`run ${payload.turn} ${payload.runId} ${flag(payload)}`);
    },
    ...options,
  });
}

describe('a preloaded chat.agent run', () => {
  it('calls onPreload once, then answers the first message in the same run, preloaded', async () => {
    const calls: string[] = [];
    const agent = recordingAgent(calls);
    const session = new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } });
    session.send(userMessage('hi'));

    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(calls).toEqual([
      'onPreload memory-run {"userId":"ada"}',
      'onValidateMessages',
      'onChatStart memory-run preloaded',
      'onTurnStart 0 memory-run preloaded',
      'run 0 memory-run preloaded',
      'onTurnComplete 0 memory-run preloaded',
      'onChatSuspend turn memory-run undefined',
    ]);
  });

  it('suspends in phase preload when no message comes, and the first message resumes it', async () => {
    const calls: string[] = [];
    const agent = recordingAgent(calls);
    const session = new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } });

    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(session.turns).toEqual([]);
    session.send(userMessage('hi'));
    expect(await agent.runSession(session, { idleTimeoutInSeconds: 0 })).toBe('suspended');
    expect(calls).toEqual([
      'onPreload memory-run {"userId":"ada"}',
      'onChatSuspend preload memory-run {"userId":"ada"}',
      // The next run resumes the preloaded chat: no second onPreload.
      'onChatResume preload memory-run-2',
      'onValidateMessages',
      'onChatStart memory-run-2 preloaded',
      'onTurnStart 0 memory-run-2 preloaded',
      'run 0 memory-run-2 preloaded',
      'onTurnComplete 0 memory-run-2 preloaded',
      'onChatSuspend turn memory-run-2 undefined',
    ]);
  });

  it('waits preloadIdleTimeoutInSeconds for the first message, the idle timeout after', async () => {
    const agent = chat.agent({
      id: 'timed',
      idleTimeoutInSeconds: 7,
      preloadIdleTimeoutInSeconds: 120,
      run: () => undefined,
    });
    const preloaded = new TimedSession({ preloaded: true });
    preloaded.send(userMessage('hi'));
    await agent.runSession(preloaded, { idleTimeoutInSeconds: 30 });
    expect(preloaded.idleTimeoutsMs).toEqual([120_000, 7_000]);

    // Trigger.dev's default: the idle timeout.
    const plain = chat.agent({ id: 'plain', idleTimeoutInSeconds: 7, run: () => undefined });
    const defaulted = new TimedSession({ preloaded: true });
    await plain.runSession(defaulted, { idleTimeoutInSeconds: 30 });
    expect(defaulted.idleTimeoutsMs).toEqual([7_000]);

    expect(() =>
      chat.agent({ id: 'negative', preloadIdleTimeoutInSeconds: -1, run: () => undefined }),
    ).toThrow(/preloadIdleTimeoutInSeconds must be >= 0/);
  });

  it('never preloads a chat that was not preloaded: preloaded is false everywhere', async () => {
    const calls: string[] = [];
    const agent = recordingAgent(calls);
    const session = new MemorySession();
    // Nothing to answer: a chat without a turn and without a preload has nothing to suspend.
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    session.send(userMessage('hi'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(calls).toEqual([
      'onValidateMessages',
      'onChatStart memory-run-2 cold',
      'onTurnStart 0 memory-run-2 cold',
      'run 0 memory-run-2 cold',
      'onTurnComplete 0 memory-run-2 cold',
      'onChatSuspend turn memory-run-2 undefined',
    ]);
  });

  it('validates the session client data for onPreload, and skips the hook when it is invalid', async () => {
    const seen: unknown[] = [];
    const warnings: string[] = [];
    const logger: Logger = {
      ...SILENT_LOGGER,
      warn: (_fields, message) => {
        warnings.push(message ?? '');
      },
      child: () => logger,
    };
    const agent = chat.agent({
      id: 'typed',
      clientDataSchema: z.object({ userId: z.string() }),
      onPreload: ({ clientData }) => {
        expectTypeOf(clientData).toEqualTypeOf<{ userId: string }>();
        seen.push(clientData);
      },
      run: () => undefined,
    });
    await agent.runSession(
      new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } }),
      {
        idleTimeoutInSeconds: 0,
      },
    );
    const invalid = new MemorySession({
      preloaded: true,
      sessionClientData: { userId: 42 },
      logger,
    });
    invalid.send(userMessage('hi'), { clientData: { userId: 'bob' } });
    await agent.runSession(invalid, { idleTimeoutInSeconds: 0 });
    expect(seen).toEqual([{ userId: 'ada' }]);
    expect(warnings).toContain('invalid session client data; onPreload skipped');
    // The first message was answered all the same.
    expect(invalid.turns.map((turn) => turn.status)).toEqual(['complete']);
  });

  it('runs a builder onPreload before the agent one, with typed client data', async () => {
    const calls: string[] = [];
    const agent = chat
      .withClientData({ schema: z.object({ userId: z.string() }) })
      .onPreload(({ clientData }) => {
        calls.push(`builder ${clientData.userId}`);
      })
      .agent({
        id: 'built',
        onPreload: ({ clientData }) => {
          calls.push(`agent ${clientData.userId}`);
        },
        run: () => undefined,
      });
    await agent.runSession(
      new MemorySession({ preloaded: true, sessionClientData: { userId: 'ada' } }),
      { idleTimeoutInSeconds: 0 },
    );
    expect(calls).toEqual(['builder ada', 'agent ada']);
  });

  it('goes on to answer the first message when onPreload throws', async () => {
    let preloads = 0;
    const agent = chat.agent({
      id: 'throwing',
      onPreload: () => {
        preloads += 1;
        throw new Error('database down');
      },
      run: () => undefined,
    });
    const session = new MemorySession({ preloaded: true });
    session.send(userMessage('hi'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(preloads).toBe(1);
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete']);
  });
});
