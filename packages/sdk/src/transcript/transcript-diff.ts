import type { TranscriptChange, TranscriptEntry } from './transcript-storage.ts';

/**
 * The changes that turn `before` into `after` for a storage that appends a new id at the end and
 * replaces a known one in place: the fewest a row-per-message storage has to write. After the
 * prefix both share (by id), `after` usually keeps some of the rest in order and appends new
 * messages: a message it dropped is a `remove`, or one `truncateAfter` when it drops the whole
 * rest (an undo, a regeneration, an edit). When `after` reorders or inserts before a kept
 * message, the rest is truncated and written again, since a `put` cannot place a message.
 */
export function diffTranscript(
  before: readonly TranscriptEntry[],
  after: readonly TranscriptEntry[],
): TranscriptChange[] {
  let kept = 0;
  while (kept < before.length && kept < after.length && before[kept]?.id === after[kept]?.id) {
    kept += 1;
  }
  const beforeTail = before.slice(kept);
  const afterTail = after.slice(kept);
  const beforeIds = new Set(before.map((entry) => entry.id));
  const afterIds = new Set(after.map((entry) => entry.id));
  const changes: TranscriptChange[] = [];
  const beforeById = new Map(before.map((entry) => [entry.id, entry]));
  const putIfChanged = (entry: TranscriptEntry) => {
    const previous = beforeById.get(entry.id);
    // The same object is the same message: a long history is not serialized at every save.
    if (
      previous === undefined ||
      previous.final !== entry.final ||
      (previous.message !== entry.message &&
        JSON.stringify(previous.message) !== JSON.stringify(entry.message))
    ) {
      changes.push({ op: 'put', message: entry.message, final: entry.final });
    }
  };
  const put = (entry: TranscriptEntry) =>
    changes.push({ op: 'put', message: entry.message, final: entry.final });

  const keepsTailInOrder = isKeptInOrderThenNew(beforeTail, afterTail, beforeIds);
  const keepsNoneOfTail = beforeTail.every((entry) => !afterIds.has(entry.id));
  if (beforeTail.length > 0 && (keepsNoneOfTail || !keepsTailInOrder)) {
    // The rest goes, and what `after` has there is written anew.
    const anchor = before[kept - 1];
    if (anchor) {
      changes.push({ op: 'truncateAfter', afterId: anchor.id });
    } else {
      // Without an anchor every id goes first, `after`'s too, so that the changeset applied
      // again (a retried save) puts them back in the same order.
      const ids = new Set([...beforeTail, ...afterTail].map((entry) => entry.id));
      for (const id of ids) changes.push({ op: 'remove', id });
    }
    for (const entry of after.slice(0, kept)) putIfChanged(entry);
    for (const entry of afterTail) put(entry);
    return changes;
  }
  for (const entry of beforeTail) {
    if (!afterIds.has(entry.id)) changes.push({ op: 'remove', id: entry.id });
  }
  for (const entry of after) putIfChanged(entry);
  return changes;
}

/** Whether `afterTail` is some of `beforeTail`, in its order, followed by new ids only. */
function isKeptInOrderThenNew(
  beforeTail: readonly TranscriptEntry[],
  afterTail: readonly TranscriptEntry[],
  beforeIds: ReadonlySet<string>,
): boolean {
  let position = 0;
  let isInNewPart = false;
  for (const entry of afterTail) {
    if (!beforeIds.has(entry.id)) {
      isInNewPart = true;
      continue;
    }
    if (isInNewPart) return false;
    while (position < beforeTail.length && beforeTail[position]?.id !== entry.id) position += 1;
    if (position === beforeTail.length) return false;
    position += 1;
  }
  return true;
}
