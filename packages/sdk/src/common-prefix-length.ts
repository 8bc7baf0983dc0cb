import type { UIMessage } from 'ai';

/**
 * How many leading messages two histories share: a checkpoint rewrites only the rest, so a turn
 * writes O(turn), not O(history). Same object or same JSON counts as the same message.
 */
export function commonPrefixLength(
  before: readonly UIMessage[],
  after: readonly UIMessage[],
): number {
  let index = 0;
  while (
    index < before.length &&
    index < after.length &&
    (before[index] === after[index] ||
      JSON.stringify(before[index]) === JSON.stringify(after[index]))
  ) {
    index += 1;
  }
  return index;
}
