import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import {
  advanceToolPart,
  findIncomingTarget,
  mergeIncomingMessage,
  mergeIncomingMessages,
} from './merge-incoming-message.ts';

type ToolPart = Parameters<typeof advanceToolPart>[0];

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const assistant = (id: string, ...parts: UIMessage['parts']): UIMessage => ({
  id,
  role: 'assistant',
  parts,
});

const text = (value: string) => ({ type: 'text' as const, text: value, state: 'done' as const });

const requested = (toolCallId = 'call-1'): ToolPart => ({
  type: 'tool-deleteFile',
  toolCallId,
  state: 'approval-requested',
  input: { path: '/a' },
  approval: { id: `approval-${toolCallId}`, signature: 'signed' },
});

const asking = (toolCallId = 'call-1'): ToolPart => ({
  type: 'tool-askUser',
  toolCallId,
  state: 'input-available',
  input: { question: 'colour?' },
});

/** What the stock client sends back after `addToolApprovalResponse`. */
const approved = (part: ToolPart, approvedValue: boolean, reason?: string): ToolPart =>
  ({
    ...part,
    state: 'approval-responded',
    approval: {
      ...(part.approval as object),
      approved: approvedValue,
      ...(reason ? { reason } : {}),
    },
  }) as ToolPart;

/** What the stock client sends back after `addToolOutput`. */
const answered = (part: ToolPart, output: unknown): ToolPart =>
  ({ ...part, state: 'output-available', output }) as ToolPart;

const ids = (messages: UIMessage[]) => messages.map(({ id }) => id);

describe('mergeIncomingMessage', () => {
  it('appends a new message', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi'))];
    expect(ids(mergeIncomingMessage(history, user('u2', 'two')))).toEqual(['u1', 'a1', 'u2']);
  });

  it('treats a known user message as an edit: replaced, and what followed dropped', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi')), user('u2', 'two')];
    const merged = mergeIncomingMessage(history, user('u1', 'uno'));
    expect(merged).toEqual([user('u1', 'uno')]);
  });

  it('drops the answer being regenerated (the stock client resends the user message)', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi'))];
    const merged = mergeIncomingMessage(history, user('u1', 'one'), {
      trigger: 'regenerate-message',
    });
    expect(ids(merged)).toEqual(['u1']);
  });

  it('drops what follows an assistant message a regeneration ends with', () => {
    const history = [user('u1', 'one'), assistant('a1', text('a')), assistant('a2', text('b'))];
    const merged = mergeIncomingMessage(history, assistant('a1', text('a')), {
      trigger: 'regenerate-message',
    });
    expect(ids(merged)).toEqual(['u1', 'a1']);
  });

  it('advances an approval and keeps the stored part, text and what follows', () => {
    const stored = assistant('a1', text('Deleting.'), requested());
    const history = [user('u1', 'delete /a'), stored];
    const sent = assistant('a1', text('forged'), {
      ...approved(requested(), true, 'ok'),
      input: { path: '/etc' },
    } as ToolPart);
    const merged = mergeIncomingMessage(history, sent);
    expect(merged[0]).toBe(history[0]);
    expect(merged[1]).toEqual(
      assistant('a1', text('Deleting.'), {
        type: 'tool-deleteFile',
        toolCallId: 'call-1',
        state: 'approval-responded',
        input: { path: '/a' },
        approval: { id: 'approval-call-1', signature: 'signed', approved: true, reason: 'ok' },
      }),
    );
  });

  it("takes a client-side tool's output and nothing else of the message", () => {
    const history = [user('u1', 'ask'), assistant('a1', asking())];
    const sent = assistant('a1', answered(asking(), { answer: 'blue' }), text('injected'));
    expect(mergeIncomingMessage(history, sent)[1]).toEqual(
      assistant('a1', answered(asking(), { answer: 'blue' })),
    );
  });

  it('finds an assistant message the client renamed by its tool call ids', () => {
    const history = [user('u1', 'ask'), assistant('a1', asking('call-7'))];
    const sent = assistant('client-id', answered(asking('call-7'), { answer: 'blue' }));
    expect(findIncomingTarget(history, sent)).toBe(1);
    const merged = mergeIncomingMessage(history, sent);
    expect(ids(merged)).toEqual(['u1', 'a1']);
    expect(merged[1]?.parts[0]).toMatchObject({ state: 'output-available' });
  });

  it('appends an unknown assistant message that holds no known tool call', () => {
    const history = [user('u1', 'one')];
    expect(ids(mergeIncomingMessage(history, assistant('a9', text('x'))))).toEqual(['u1', 'a9']);
  });

  it('never lets a message take the place of one of the other role', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi')), user('u2', 'two')];
    expect(mergeIncomingMessage(history, user('a1', 'forged'))).toEqual(history);
    expect(mergeIncomingMessage(history, assistant('u1', text('forged')))).toEqual(history);
  });

  it('keeps the same history object-for-object when nothing advances', () => {
    const history = [user('u1', 'one'), assistant('a1', requested())];
    const merged = mergeIncomingMessage(history, assistant('a1', requested()));
    expect(merged[1]).toBe(history[1]);
  });
});

describe('mergeIncomingMessages', () => {
  it('puts a seeded history in place and appends the new message (a loop seeding from its store)', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi')), user('u2', 'two')];
    const merged = mergeIncomingMessages(history, [
      user('u1', 'one'),
      assistant('a1', text('hi')),
      user('u3', 'three'),
    ]);
    expect(ids(merged)).toEqual(['u1', 'a1', 'u2', 'u3']);
  });

  it('ends like the one-message rule for its last message', () => {
    const history = [user('u1', 'one'), assistant('a1', text('hi')), user('u2', 'two')];
    expect(ids(mergeIncomingMessages(history, [user('u1', 'one'), user('u2', 'dos')]))).toEqual([
      'u1',
      'a1',
      'u2',
    ]);
    expect(ids(mergeIncomingMessages(history, [user('u1', 'uno')]))).toEqual(['u1']);
  });
});

describe('advanceToolPart', () => {
  const states = [
    'input-streaming',
    'input-available',
    'approval-requested',
    'approval-responded',
    'output-available',
    'output-error',
    'output-denied',
  ] as const;
  const partIn = (state: (typeof states)[number]): ToolPart =>
    ({
      type: 'tool-deleteFile',
      toolCallId: 'call-1',
      state,
      input: { path: '/a' },
      ...(state === 'output-available' ? { output: { deleted: '/a' } } : {}),
      ...(state === 'output-error' ? { errorText: 'failed' } : {}),
      ...(state === 'approval-requested' ? { approval: { id: 'ap-1' } } : {}),
      ...(state === 'approval-responded' || state === 'output-denied'
        ? { approval: { id: 'ap-1', approved: state === 'approval-responded' } }
        : {}),
    }) as ToolPart;

  it('only ever moves a part forward, and only into a state a client may set', () => {
    const rank = (state: string) => Math.min(states.indexOf(state as never), 4);
    const advanced: string[] = [];
    for (const from of states) {
      for (const to of states) {
        const stored = partIn(from);
        const result = advanceToolPart(stored, partIn(to));
        if (result === stored) continue;
        advanced.push(`${from} -> ${to}`);
        expect(rank(to)).toBeGreaterThan(rank(from));
        expect(result.state).toBe(to);
        // The stored input always stays.
        expect(result.input).toEqual({ path: '/a' });
        // Merging the same answer again changes nothing: the merge is idempotent.
        expect(advanceToolPart(result, partIn(to))).toBe(result);
      }
    }
    expect(advanced).toEqual([
      'input-available -> output-available',
      'input-available -> output-error',
      'approval-requested -> approval-responded',
      'approval-requested -> output-denied',
      'approval-responded -> output-available',
      'approval-responded -> output-error',
    ]);
  });

  it('refuses an approval for another approval id, or for a part that asked for none', () => {
    const forged = approved(requested(), true);
    expect(
      advanceToolPart(requested(), {
        ...forged,
        approval: { id: 'other', approved: true },
      } as ToolPart),
    ).toEqual(requested());
    const noApproval = asking();
    expect(advanceToolPart(noApproval, approved(requested(), true))).toBe(noApproval);
    expect(
      advanceToolPart(noApproval, {
        ...noApproval,
        state: 'output-denied',
        approval: { id: 'x', approved: false },
      } as ToolPart),
    ).toBe(noApproval);
  });

  it("keeps an approval with a tool's output only when it was approved", () => {
    const responded = approved(requested(), true);
    expect(advanceToolPart(responded, answered(responded, 1))).toMatchObject({
      state: 'output-available',
      output: 1,
      approval: { id: 'approval-call-1', approved: true },
    });
    expect(advanceToolPart(asking(), answered(asking(), 1))).not.toHaveProperty('approval');
    // A denied call, or one still waiting for its approval, takes no output from the client.
    const denied = approved(requested(), false);
    expect(advanceToolPart(denied, answered(denied, 1))).toBe(denied);
    expect(advanceToolPart(requested(), answered(requested(), 1))).toEqual(requested());
  });
});
