import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chat } from './chat.ts';
import { MemorySession } from './testing/memory-session.ts';
import { textsOf, userMessage } from './testing/messages.ts';
import { scriptedModel } from './testing/scripted-model.ts';

const defaults = { idleTimeoutInSeconds: 0 };

function actionAgent(model: ReturnType<typeof scriptedModel>, hooks: string[]) {
  return chat.agent({
    id: 'actions',
    actionSchema: z.discriminatedUnion('type', [
      z.object({ type: z.literal('undo') }),
      z.object({ type: z.literal('retry-with'), text: z.string() }),
    ]),
    onAction: ({ action, turn }) => {
      hooks.push(`onAction:${action.type}:${turn}`);
      chat.history.slice(0, -2);
      if (action.type === 'retry-with') return chat.turn(action.text);
      return undefined;
    },
    onTurnStart: ({ turn }) => {
      hooks.push(`onTurnStart:${turn}`);
    },
    onTurnComplete: ({ turn }) => {
      hooks.push(`onTurnComplete:${turn}`);
    },
    run: ({ messages, signal, streamText, trigger }) => {
      hooks.push(`run:${trigger}`);
      return streamText({ model, messages, abortSignal: signal });
    },
  });
}

describe('custom actions', () => {
  it('an action without chat.turn() edits the history and is not a turn', async () => {
    const hooks: string[] = [];
    const agent = actionAgent(scriptedModel(['one', 'two']), hooks);
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('b'));
    session.send(userMessage('ignored'), {
      trigger: 'regenerate-message',
      action: { type: 'undo' },
    });
    await agent.runSession(session, defaults);
    expect(textsOf(session.messages)).toEqual(['a', 'one']);
    expect(hooks.filter((hook) => hook.startsWith('onAction'))).toEqual(['onAction:undo:2']);
    // Answered with a turn-complete, without a turn number of its own.
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'complete', 'complete']);
    expect(session.state.turns).toBe(2);
    expect(hooks).not.toContain('onTurnStart:2');
  });

  it('chat.turn(message) runs a real turn with trigger action-turn after the edit', async () => {
    const hooks: string[] = [];
    const model = scriptedModel(['one', 'two']);
    const agent = actionAgent(model, hooks);
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('x'), { action: { type: 'retry-with', text: 'b' } });
    await agent.runSession(session, defaults);
    expect(hooks).toEqual([
      'onTurnStart:0',
      'run:submit-message',
      'onTurnComplete:0',
      'onAction:retry-with:1',
      'onTurnStart:1',
      'run:action-turn',
      'onTurnComplete:1',
    ]);
    // The undo removed the first exchange; the action's message was answered.
    expect(textsOf(session.messages)).toEqual(['b', 'two']);
    expect(JSON.stringify(model.prompts[1])).not.toContain('"a"');
  });

  it('an invalid action, or a return other than chat.turn(), ends with an error and changes nothing', async () => {
    const hooks: string[] = [];
    const agent = actionAgent(scriptedModel(['one']), hooks);
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('x'), { action: { type: 'drop-table' } });
    await agent.runSession(session, defaults);
    expect(session.turns[1]?.status).toBe('error');
    expect(textsOf(session.messages)).toEqual(['a', 'one']);

    const wrong = chat.agent({
      id: 'wrong-return',
      onAction: () => ({ text: 'not allowed' }) as never,
      run: () => undefined,
    });
    const other = new MemorySession();
    other.send(userMessage('x'), { action: { type: 'anything' } });
    await wrong.runSession(other, defaults);
    expect(other.turns[0]?.status).toBe('error');
    expect(other.state.turns).toBe(0);
  });

  it('an action that edits the history and then fails leaves it as it was', async () => {
    const agent = chat.agent({
      id: 'failing-action',
      onAction: () => {
        chat.history.set([]);
        throw new Error('the edit went wrong');
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['one']), messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('x'), { action: { type: 'wipe' } });
    await agent.runSession(session, defaults);
    expect(session.turns[1]?.status).toBe('error');
    expect(textsOf(session.messages)).toEqual(['a', 'one']);
  });

  it('actions do not count against maxTurns', async () => {
    const agent = chat.agent({
      id: 'counted',
      maxTurns: 1,
      onAction: () => undefined,
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['one']), messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('x'), { action: { type: 'noop' } });
    session.send(userMessage('a'));
    await agent.runSession(session, defaults);
    // The action and the one turn maxTurns allows, in one run.
    expect(session.turns.map((turn) => turn.status)).toEqual(['complete', 'complete']);
    expect(textsOf(session.messages)).toEqual(['a', 'one']);
  });
});

describe('custom actions with hydrateMessages', () => {
  it('hydrate the history first, with trigger action, and onAction edits what it returned', async () => {
    const calls: string[] = [];
    const stored = [userMessage('from the store'), userMessage('kept')];
    const agent = chat.agent({
      id: 'hydrated-actions',
      actionSchema: z.object({ type: z.literal('drop-first') }),
      hydrateMessages: ({ trigger, incomingMessages, previousMessages }) => {
        calls.push(`hydrate:${trigger}:${incomingMessages.length}:${previousMessages.length}`);
        return trigger === 'action' ? stored : [...previousMessages, ...incomingMessages];
      },
      onAction: ({ uiMessages }) => {
        calls.push(`onAction:${textsOf(uiMessages).join('|')}`);
        chat.history.slice(1);
      },
      run: ({ messages, signal, streamText }) =>
        streamText({ model: scriptedModel(['answer']), messages, abortSignal: signal }),
    });
    const session = new MemorySession();
    session.send(userMessage('a'));
    session.send(userMessage('ignored'), {
      trigger: 'regenerate-message',
      action: { type: 'drop-first' },
    });
    await agent.runSession(session, defaults);
    expect(calls).toEqual([
      'hydrate:submit-message:1:0',
      'hydrate:action:0:2',
      'onAction:from the store|kept',
    ]);
    expect(textsOf(session.messages)).toEqual(['kept']);
  });
});
