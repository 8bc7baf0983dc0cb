import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { chat } from '../chat.ts';
import { MemorySession } from '../testing/memory-session.ts';
import { type LogEntry, recordingLogger } from '../testing/recording-logger.ts';
import type { ChatTaskMessagePayload } from './wire-payload.ts';

const user = (id: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text: id }] });

const reply = async (text: string) => {
  await chat.pipe(
    new ReadableStream({
      start(controller) {
        controller.enqueue({ type: 'start', messageId: `answer-${text}` });
        controller.enqueue({ type: 'text-start', id: text });
        controller.enqueue({ type: 'text-delta', id: text, delta: text });
        controller.enqueue({ type: 'text-end', id: text });
        controller.enqueue({ type: 'finish' });
        controller.close();
      },
    }),
  );
};

/**
 * The request `regenerate({ body: { action } })` sends: the client's last user message again,
 * with `regenerate-message` (the stock client drops the answer first).
 */
function sendAction(session: MemorySession, last: UIMessage, action: unknown) {
  return session.send(last, { trigger: 'regenerate-message', action });
}

describe('custom actions reaching a custom agent', () => {
  it('hand the action to a hand-rolled loop; its message is not accumulated again', async () => {
    const payloads: Array<Pick<ChatTaskMessagePayload, 'action' | 'trigger'> & { id: string }> = [];
    const agent = chat.customAgent({
      id: 'actions-raw',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        const conversation = new chat.MessageAccumulator();
        let current = payload;
        for (let turn = 0; ; turn++) {
          payloads.push({
            id: current.message.id,
            trigger: current.trigger,
            action: current.action,
          });
          // The loop passes the message as always; for an action it is not a new message.
          await conversation.addIncoming([current.message], current.trigger, turn);
          if (current.action === undefined) {
            await reply(current.message.id);
          } else if ((current.action as { type: string }).type === 'summarize') {
            await reply('summary');
          }
          await chat.writeTurnComplete();
          const next = await chat.messages.wait();
          if (!next.ok) return;
          current = next.output;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    sendAction(session, user('u1'), { type: 'summarize' });
    sendAction(session, user('u1'), { type: 'ignored' });
    session.send(user('u2'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });

    expect(payloads).toEqual([
      { id: 'u1', trigger: 'submit-message', action: undefined },
      { id: 'u1', trigger: 'regenerate-message', action: { type: 'summarize' } },
      { id: 'u1', trigger: 'regenerate-message', action: { type: 'ignored' } },
      { id: 'u2', trigger: 'submit-message', action: undefined },
    ]);
    // The regenerate-message of an action never dropped the answer; the action's answer is kept.
    expect(session.messages.map((message) => message.id)).toEqual([
      'u1',
      'answer-u1',
      'answer-summary',
      'u2',
      'answer-u2',
    ]);
    // An action the agent left unanswered is no turn: turn numbers go on from it.
    expect(session.turns.map((turn) => turn.turn)).toEqual([0, 1, 2, 2]);
    expect(session.turns.map((turn) => turn.end?.countsAsTurn)).toEqual([
      undefined,
      undefined,
      false,
      undefined,
    ]);
  });

  it('checkpoint the history without the message of an action when the run keeps no accumulator', async () => {
    const agent = chat.customAgent({
      id: 'actions-plain',
      run: async (payload) => {
        if (payload.trigger === 'preload') return;
        let current = payload;
        for (;;) {
          await reply(current.action === undefined ? current.message.id : 'acted');
          const next = await chat.messages.wait();
          if (!next.ok) return;
          current = next.output;
        }
      },
    });
    const session = new MemorySession();
    session.send(user('u1'));
    sendAction(session, user('u1'), { type: 'go' });
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });
    expect(session.messages.map((message) => message.id)).toEqual([
      'u1',
      'answer-u1',
      'answer-acted',
    ]);
  });

  it('are answered with no turn by chat.createSession (it has no actions), with a warning', async () => {
    const logs: LogEntry[] = [];
    const turns: string[] = [];
    const agent = chat.customAgent({
      id: 'actions-session',
      run: async (payload, { signal }) => {
        for await (const turn of chat.createSession(payload, { signal })) {
          turns.push(`${turn.number} ${turn.uiMessages.map((message) => message.id).join(',')}`);
          await reply(`answer-${turn.number}`);
          await turn.done();
        }
      },
    });
    const session = new MemorySession({ logger: recordingLogger(logs) });
    session.send(user('u1'));
    sendAction(session, user('u1'), { type: 'summarize' });
    session.send(user('u2'));
    await agent.runSession(session, { idleTimeoutInSeconds: 0 });

    expect(turns).toEqual(['0 u1', '1 u1,answer-answer-0,u2']);
    expect(
      session.turns.map((turn) => [turn.turn, turn.chunks.length, turn.end?.countsAsTurn]),
    ).toEqual([
      [0, 5, undefined],
      [1, 0, false],
      [1, 5, undefined],
    ]);
    expect(logs.some((entry) => /action/.test(entry.message ?? '') && entry.level === 'warn')).toBe(
      true,
    );
  });
});
