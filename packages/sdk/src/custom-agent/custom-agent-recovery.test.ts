import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import { userMessage } from '../testing/messages.ts';

describe("a custom agent's recovery budget", () => {
  function agentCountingRuns(runs: string[], recovery?: { maxAttempts: number }) {
    return chat.customAgent({
      id: 'budgeted',
      ...(recovery ? { recovery } : {}),
      run: async (payload) => {
        if (payload.trigger !== 'preload') runs.push(payload.message.id);
        await chat.writeTurnComplete();
      },
    });
  }

  it('takes a message up again within recovery.maxAttempts, and ends it with an error past it', async () => {
    const defaults = { idleTimeoutInSeconds: 0 };
    // The message's first run died before its turn completed: this is its second run.
    const withinBudget: string[] = [];
    const first = new MemorySession();
    first.send(userMessage('a'), { attempt: 2 });
    await agentCountingRuns(withinBudget).runSession(first, defaults);
    expect(withinBudget).toEqual(['user-a']);
    expect(first.turns[0]?.status).toBe('complete');

    const pastBudget: string[] = [];
    const second = new MemorySession();
    second.send(userMessage('a'), { attempt: 2 });
    await agentCountingRuns(pastBudget, { maxAttempts: 0 }).runSession(second, defaults);
    expect(pastBudget).toEqual([]);
    expect(second.turns[0]?.status).toBe('error');
  });
});
