/**
 * Puts a message into a history the way the stock AI SDK client means it: a known id replaces
 * that message and drops everything after it (an edit, a regenerate, an assistant message coming
 * back with resolved tools); a new id appends. Resolves how many leading messages are unchanged.
 */
export function upsertMessage<Message extends { id: string }>(
  history: readonly Message[],
  incoming: Message,
): { messages: Message[]; keepCount: number } {
  const index = history.findIndex((message) => message.id === incoming.id);
  if (index === -1) return { messages: [...history, incoming], keepCount: history.length };
  return { messages: [...history.slice(0, index), incoming], keepCount: index };
}
