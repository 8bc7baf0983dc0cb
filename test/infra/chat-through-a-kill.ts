import { createGatewayChat, textOf, waitUntil } from '@baton/testing';
import { expect } from 'vitest';

/** What {@link chatThroughAWorkerKill} needs of a running deployment. */
export type Deployment = {
  gatewayUrl: string;
  secret: string;
  /** The `holder` of a chat's session (the worker's id), or '' when none holds it. */
  holderOf: (chatId: string) => Promise<string>;
  /** SIGKILLs the container of the worker with this id. */
  killWorker: (workerId: string) => Promise<void>;
};

const MESSAGE =
  'Tell me everything about durable chat on a pool of stateless workers, slowly, word by word, ' +
  'so that a worker can die in the middle of the answer and another one can finish it.';

/**
 * The promise of the product, against a deployed system: the stock AI SDK client sends a message,
 * the worker answering it is SIGKILLed mid-answer, and the client still gets the whole answer,
 * once; the next message is answered too. Returns the id of the worker that was killed.
 */
export async function chatThroughAWorkerKill(deployment: Deployment): Promise<string> {
  const response = await fetch(`${deployment.gatewayUrl}/v1/sessions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${deployment.secret}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ agent: 'demo' }),
  });
  expect(response.status).toBe(201);
  const { chatId, token } = (await response.json()) as { chatId: string; token: string };
  const chat = createGatewayChat({ gatewayUrl: deployment.gatewayUrl, chatId, token });

  const sent = chat.sendMessage({ text: MESSAGE });
  await waitUntil(() => textOf(chat.messages.at(-1)).length > 0 && chat.messages.length === 2, {
    description: 'the answer started streaming',
    timeoutMs: 30_000,
  });
  const holder = await deployment.holderOf(chatId);
  expect(holder).not.toBe('');
  await deployment.killWorker(holder);
  const partial = textOf(chat.messages.at(-1));
  await sent;

  const expected = `Turn 1: you said "${MESSAGE}". I have seen 1 user messages.`;
  expect(chat.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  expect(textOf(chat.messages.at(-1))).toBe(expected);
  expect(expected.startsWith(partial)).toBe(true);
  expect(partial.length).toBeLessThan(expected.length);

  await chat.sendMessage({ text: 'and after the failover?' });
  expect(textOf(chat.messages.at(-1))).toBe(
    'Turn 2: you said "and after the failover?". I have seen 2 user messages.',
  );
  const stored = await fetch(`${deployment.gatewayUrl}/api/chat/${chatId}/messages`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { messages } = (await stored.json()) as { messages: { role: string }[] };
  expect(messages.map((message) => message.role)).toEqual([
    'user',
    'assistant',
    'user',
    'assistant',
  ]);
  return holder;
}
