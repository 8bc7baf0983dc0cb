'use server';

import { createSession } from '@baton/client';

/** What the browser needs to talk to its chat: the gateway, the chat, its token and its expiry. */
export type OpenedChat = {
  chatId: string;
  token: string;
  /** When the token expires (ms since the epoch): call `openChat(chatId)` again before. */
  tokenExpiresAt: number;
  gatewayUrl: string;
};

/**
 * Opens a chat on the Baton gateway with the secret key, which never leaves the server, and hands
 * the browser only the chat's token (Trigger.dev's quick start, with `createSession` for the
 * access-token action). With a `chatId` it reopens that chat with a fresh token, or opens a new
 * chat when that one was closed.
 *
 * In your app, check here that the signed-in user may open `chatId`, and pass who they are as
 * `clientData`: the agent reads it in every turn.
 */
export async function openChat(chatId?: string): Promise<OpenedChat> {
  const gatewayUrl = setting('BATON_URL');
  const open = (id?: string) =>
    createSession({
      baseUrl: gatewayUrl,
      secret: setting('BATON_SECRET'),
      agent: process.env.BATON_AGENT ?? 'demo',
      ...(id === undefined ? {} : { chatId: id }),
    });
  let opened = await open(chatId);
  // A chat that was closed (its agent ended it, or your server did) takes no more messages.
  if (opened.isClosed) opened = await open();
  // The browser may reach the gateway at another address than this server does.
  return {
    chatId: opened.chatId,
    token: opened.token,
    tokenExpiresAt: opened.tokenExpiresAt,
    gatewayUrl: process.env.BATON_PUBLIC_URL ?? gatewayUrl,
  };
}

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}
