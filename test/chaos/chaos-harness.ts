import { chatKeys } from '@baton/redis';
import {
  type BatonStack,
  type ChatAccess,
  type ServiceProcess,
  textOf,
  waitUntil,
} from '@baton/testing';
import type { UIMessage } from 'ai';
import type { Redis } from 'ioredis';

export const COUNTING_AGENT = new URL('./fixtures/counting-agent.ts', import.meta.url).pathname;

/** The worker process that holds the chat's lease now. */
export async function holderOf(
  stack: BatonStack,
  redis: Redis,
  chatId: string,
): Promise<ServiceProcess> {
  let holder: ServiceProcess | undefined;
  await waitUntil(
    async () => {
      const workerId = await redis.hget(chatKeys(chatId).session, 'holder');
      holder = stack.workers.find((worker) => worker.name === workerId && !worker.hasExited);
      return holder !== undefined;
    },
    { description: `a live worker holds chat ${chatId}` },
  );
  return holder as ServiceProcess;
}

/** The answer an uninterrupted run gives: the same agent and text on a fresh chat. */
export async function referenceAnswer(
  stack: BatonStack,
  agent: string,
  text: string,
): Promise<UIMessage | undefined> {
  const session = await stack.createSession(agent);
  const chat = stack.openChat(session);
  await chat.sendMessage({ text });
  return chat.lastMessage;
}

/** Parts without what differs between two runs of the same answer. */
export function comparableParts(message: UIMessage | undefined): unknown[] {
  return (message?.parts ?? []).map((part) => {
    const { providerMetadata: _metadata, ...rest } = part as Record<string, unknown>;
    return rest;
  });
}

/** Polls until the client's last assistant message shows `predicate`. */
export async function whenAnswer(
  chat: { lastMessage: UIMessage | undefined },
  predicate: (message: UIMessage) => boolean,
  description: string,
): Promise<void> {
  await waitUntil(() => chat.lastMessage?.role === 'assistant' && predicate(chat.lastMessage), {
    description,
    timeoutMs: 15_000,
    intervalMs: 5,
  });
}

/** The persisted history matches what the client holds, message for message. */
export async function persistedTexts(stack: BatonStack, session: ChatAccess): Promise<string[]> {
  return (await stack.fetchMessages(session)).map(textOf);
}

/** The chunk types and control kinds of a chat's output stream, in order. */
export async function outputKinds(redis: Redis, chatId: string): Promise<string[]> {
  const output = await redis.xrange(chatKeys(chatId).output, '-', '+');
  return output.map(([, fields]) => {
    const record = JSON.parse(fields[1] ?? '{}') as { type?: string; kind?: string };
    return record.kind ?? record.type ?? 'unknown';
  });
}
