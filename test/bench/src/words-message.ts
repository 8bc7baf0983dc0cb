/**
 * `alpha0 bravo1 charlie2 …`: `count` words, deterministic, so the demo model's echo of it is
 * checkable word for word.
 */
export function wordsMessage(count: number): string {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  return Array.from({ length: count }, (_, index) => `${words[index % words.length]}${index}`).join(
    ' ',
  );
}
