import type { UIMessage } from 'ai';

/** A user message with one text part; its id defaults to `user-<text>`. */
export function userMessage(text: string, id = `user-${text}`): UIMessage {
  return { id, role: 'user', parts: [{ type: 'text', text }] };
}

/** The text of a message's text parts, joined. */
export function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The text of each message. */
export function textsOf(messages: readonly UIMessage[]): string[] {
  return messages.map((message) => textOf(message));
}
