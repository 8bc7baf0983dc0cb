import { BatonError, ERROR_CODES } from '@baton/protocol';
import { ChatBodyScanner } from './chat-body-scanner.ts';
import { invalidRequest } from './http-errors.ts';

/** The two bounds on a `POST /api/chat` body. */
type ChatRequestLimits = {
  /**
   * The new message together with the other top-level fields: everything but the history that the
   * stock transport echoes. Bounds the memory a request holds and what one append writes.
   */
  maxMessageBytes: number;
  /** The whole body, history included: bounds only the bandwidth one request may take. */
  maxRequestBytes: number;
};

/**
 * Reads a `POST /api/chat` body as a stream and returns it with `messages` (when it is an array)
 * shortened to its last element: `{ ...body, messages: [body.messages.at(-1)] }`. The echoed
 * history is checked for well-formed JSON and dropped as it streams by, never parsed and never
 * held whole, so a conversation's length limits neither the request nor the gateway's memory.
 *
 * Throws `INVALID_REQUEST` (400) for a body that is not a JSON object, and `PAYLOAD_TOO_LARGE`
 * (413) past either limit of `limits`.
 *
 * @example
 * ```ts
 * const limits = { maxMessageBytes: 1 << 20, maxRequestBytes: 64 << 20 };
 * const body = await readChatRequest(c.req.raw, limits);
 * const message = body.message ?? (body.messages as unknown[] | undefined)?.[0];
 * ```
 */
export async function readChatRequest(
  request: Request,
  limits: ChatRequestLimits,
): Promise<Record<string, unknown>> {
  const declaredBytes = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declaredBytes > limits.maxRequestBytes) throw requestTooLarge(limits.maxRequestBytes);
  if (!request.body) throw invalidRequest('request body is not valid JSON (it is empty)');

  const scanner = new ChatBodyScanner({ maxKeptBytes: limits.maxMessageBytes });
  // On an error the rest of the body is left unread, as hono's bodyLimit leaves it: the Node
  // server drains or closes the connection after the response (cancelling the stream instead
  // could destroy the socket before the 413 is written).
  const reader = request.body.getReader();
  let receivedBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    receivedBytes += value.byteLength;
    if (receivedBytes > limits.maxRequestBytes) throw requestTooLarge(limits.maxRequestBytes);
    scanner.write(value);
  }
  return scanner.finish();
}

function requestTooLarge(maxRequestBytes: number): BatonError {
  return new BatonError(
    ERROR_CODES.PAYLOAD_TOO_LARGE,
    `request body exceeds ${maxRequestBytes} bytes`,
  );
}
