import { BatonError } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { readChatRequest } from './read-chat-request.ts';

const encoder = new TextEncoder();
const limits = { maxMessageBytes: 200, maxRequestBytes: 5_000 };

/** A POST whose body arrives in `chunkBytes`-sized chunks, counting the chunks pulled. */
function streamedRequest(
  body: string,
  options: { chunkBytes?: number; headers?: Record<string, string> },
) {
  const bytes = encoder.encode(body);
  const chunkBytes = options.chunkBytes ?? 64;
  const state = { pulledChunks: 0 };
  let position = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (position >= bytes.length) {
          controller.close();
          return;
        }
        state.pulledChunks += 1;
        controller.enqueue(bytes.slice(position, position + chunkBytes));
        position += chunkBytes;
      },
    },
    // Nothing is pulled before the reader asks.
    { highWaterMark: 0 },
  );
  const request = new Request('http://gateway.test/api/chat', {
    method: 'POST',
    body: stream,
    duplex: 'half',
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return { request, state };
}

async function errorOf(promise: Promise<unknown>): Promise<BatonError> {
  try {
    await promise;
  } catch (error) {
    if (BatonError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the read to fail');
}

describe('readChatRequest', () => {
  it('returns the body with the last message from a streamed stock body', async () => {
    const history = Array.from({ length: 10 }, (_, index) => ({
      id: `m${index}`,
      text: 'x'.repeat(300),
    }));
    const body = JSON.stringify({ id: 'c', messages: [...history, { id: 'new' }], extra: 1 });
    const { request } = streamedRequest(body, { chunkBytes: 37 });
    expect(await readChatRequest(request, limits)).toEqual({
      id: 'c',
      messages: [{ id: 'new' }],
      extra: 1,
    });
  });

  it('refuses a declared length over the request limit before reading anything', async () => {
    const body = JSON.stringify({ id: 'c', messages: ['x'.repeat(6_000), 'new'] });
    const { request, state } = streamedRequest(body, {
      headers: { 'content-length': String(encoder.encode(body).length) },
    });
    const error = await errorOf(readChatRequest(request, limits));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(error.message).toBe('request body exceeds 5000 bytes');
    expect(state.pulledChunks).toBe(0);
  });

  it('stops reading a streamed body as soon as it passes the request limit', async () => {
    const body = JSON.stringify({ id: 'c', messages: ['x'.repeat(20_000), 'new'] });
    const { request, state } = streamedRequest(body, { chunkBytes: 1_000 });
    const error = await errorOf(readChatRequest(request, limits));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // The sixth chunk crosses 5,000 bytes: nothing after it is read.
    expect(state.pulledChunks).toBe(6);
  });

  it('accepts a body of exactly the request limit', async () => {
    const prefix = '{"id":"c","messages":["';
    const suffix = '","new"]}';
    const filler = 'x'.repeat(limits.maxRequestBytes - prefix.length - suffix.length);
    const { request } = streamedRequest(prefix + filler + suffix, { chunkBytes: 512 });
    expect(await readChatRequest(request, limits)).toEqual({ id: 'c', messages: ['new'] });
  });

  it('refuses a new message over the message limit, and an empty body', async () => {
    const body = JSON.stringify({ id: 'c', messages: ['old', 'y'.repeat(300)] });
    const tooLarge = await errorOf(readChatRequest(streamedRequest(body, {}).request, limits));
    expect(tooLarge).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(tooLarge.message).toBe('the new message exceeds 200 bytes');

    const empty = new Request('http://gateway.test/api/chat', { method: 'POST' });
    expect(await errorOf(readChatRequest(empty, limits))).toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
