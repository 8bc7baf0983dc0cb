import { DefaultChatTransport, type UIMessage } from 'ai';
import { NodeChat } from './node-chat.ts';

export type GatewayChatOptions = {
  gatewayUrl: string;
  chatId: string;
  token: string;
  /**
   * Send only the last message (`{ message }`) rather than the stock body with every message.
   * @default true
   */
  isSlim?: boolean;
  fetch?: typeof fetch;
  messages?: UIMessage[];
};

/**
 * A stock `AbstractChat` + `DefaultChatTransport` pointed at a gateway with a chat token, the way
 * a browser's `useChat` talks to Baton.
 */
export function createGatewayChat(options: GatewayChatOptions): NodeChat {
  const transport = new DefaultChatTransport<UIMessage>({
    api: `${options.gatewayUrl}/api/chat`,
    headers: { authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.isSlim === false
      ? {}
      : {
          prepareSendMessagesRequest: ({ id, messages, trigger, messageId, body }) => ({
            body: { ...body, id, message: messages.at(-1), trigger, messageId },
          }),
        }),
  });
  return new NodeChat({
    id: options.chatId,
    transport,
    ...(options.messages ? { messages: options.messages } : {}),
  });
}

/** Polls `predicate` until it holds; fails with `description` after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  options: { description: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${options.description}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
