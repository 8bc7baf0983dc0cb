import type { UIMessage } from 'ai';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryTranscriptStorage } from './memory-transcript-storage.ts';
import { diffTranscript } from './transcript-diff.ts';
import type { TranscriptEntry } from './transcript-storage.ts';

function entry(id: string, text = id, final = true): TranscriptEntry {
  const message: UIMessage = {
    id,
    role: id.startsWith('u') ? 'user' : 'assistant',
    parts: [{ type: 'text', text }],
  };
  return { id, final, message };
}

describe('diffTranscript', () => {
  it('a turn is two puts', () => {
    expect(
      diffTranscript(
        [entry('u1'), entry('a1')],
        [entry('u1'), entry('a1'), entry('u2'), entry('a2')],
      ),
    ).toEqual([
      { op: 'put', message: entry('u2').message, final: true },
      { op: 'put', message: entry('a2').message, final: true },
    ]);
  });

  it('an undo is one truncateAfter; a regeneration a truncateAfter and a put', () => {
    const before = [entry('u1'), entry('a1'), entry('u2'), entry('a2')];
    expect(diffTranscript(before, before.slice(0, 2))).toEqual([
      { op: 'truncateAfter', afterId: 'a1' },
    ]);
    expect(diffTranscript(before, [...before.slice(0, 3), entry('a3')])).toEqual([
      { op: 'truncateAfter', afterId: 'u2' },
      { op: 'put', message: entry('a3').message, final: true },
    ]);
  });

  it('an approval updating a message in place is one put; a stopped answer is not final', () => {
    const before = [entry('u1'), entry('a1', 'asks')];
    expect(diffTranscript(before, [entry('u1'), entry('a1', 'approved')])).toEqual([
      { op: 'put', message: entry('a1', 'approved').message, final: true },
    ]);
    expect(diffTranscript(before, [entry('u1'), entry('a1', 'asks', false)])).toEqual([
      { op: 'put', message: entry('a1', 'asks', false).message, final: false },
    ]);
  });

  it('a message gone from the middle is a remove', () => {
    const before = [entry('u1'), entry('a1'), entry('u2')];
    expect(diffTranscript(before, [entry('u1'), entry('u2')])).toEqual([
      { op: 'remove', id: 'a1' },
    ]);
  });

  it('applied to a storage holding `before`, the changes always give `after`', async () => {
    const ids = fc.constantFrom('u1', 'a1', 'u2', 'a2', 'u3', 'a3', 'u4');
    const transcript = fc
      .uniqueArray(fc.tuple(ids, fc.constantFrom('x', 'y'), fc.boolean()), {
        selector: ([id]) => id,
        maxLength: 7,
      })
      .map((rows) => rows.map(([id, text, final]) => entry(id, text, final)));
    await fc.assert(
      fc.asyncProperty(transcript, transcript, async (before, after) => {
        const storage = memoryTranscriptStorage();
        const context = {
          chatId: 'c',
          clientData: undefined,
          turn: 0,
          trigger: 'submit-message',
          runId: 'r',
        } as const;
        const put = before.map((row) => ({
          op: 'put' as const,
          message: row.message,
          final: row.final,
        }));
        const transcriptOf = (rows: TranscriptEntry[]) => ({ entries: rows, state: null });
        await storage.save(context, {
          reason: 'turn-complete',
          changes: put,
          transcript: transcriptOf(before),
        });
        const changeset = {
          reason: 'turn-complete' as const,
          changes: diffTranscript(before, after),
          transcript: transcriptOf(after),
        };
        await storage.save(context, changeset);
        const expected = after.map(({ message, final }) => ({ message, final }));
        expect(storage.rows('c')).toEqual(expected);
        // Idempotent: the same changeset again changes nothing.
        await storage.save(context, changeset);
        expect(storage.rows('c')).toEqual(expected);
      }),
    );
  });
});
