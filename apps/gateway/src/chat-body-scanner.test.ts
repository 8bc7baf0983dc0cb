import { BatonError } from '@baton/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatBodyScanner, MAX_NESTING_DEPTH } from './chat-body-scanner.ts';

const UNLIMITED_BYTES = Number.MAX_SAFE_INTEGER;
const encoder = new TextEncoder();

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length). */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function scan(
  body: string | Uint8Array,
  options: { cuts?: number[]; maxKeptBytes?: number } = {},
): Record<string, unknown> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const scanner = new ChatBodyScanner({ maxKeptBytes: options.maxKeptBytes ?? UNLIMITED_BYTES });
  for (const chunk of splitAt(bytes, options.cuts ?? [])) scanner.write(chunk);
  return scanner.finish();
}

/** What the scanner must return: the body as `JSON.parse` reads it, with only the last message. */
function expectedOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { messages } = body as { messages?: unknown };
  if (!Array.isArray(messages)) return body;
  return { ...body, messages: messages.length > 0 ? [messages.at(-1)] : [] };
}

/** The error code `scan` throws, or undefined when it returns. */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (BatonError.isInstance(error)) return error.code;
    throw error;
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
const chatBody = fc.record(
  {
    id: fc.string({ unit: 'binary' }),
    messages: fc.array(jsonValue, { maxLength: 6 }),
    trigger: fc.constantFrom('submit-message', 'regenerate-message'),
    messageId: fc.string(),
    extra: jsonValue,
  },
  { requiredKeys: ['messages'] },
);
const indentation = fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n ');
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('ChatBodyScanner against JSON.parse', () => {
  it('keeps every field and only the last message, however the body is split', () => {
    fc.assert(
      fc.property(chatBody, indentation, cuts, (body, indent, cutPoints) => {
        const text = JSON.stringify(body, null, indent);
        expect(scan(text, { cuts: cutPoints })).toEqual(expectedOf(JSON.parse(text)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses exactly the bodies JSON.parse refuses, wherever the fault is', () => {
    const edit = fc.record({
      position: fc.nat(),
      deleteCount: fc.nat({ max: 2 }),
      insert: fc.constantFrom(
        ...['', '"', '\\', ',', ':', '[', ']', '{', '}', '0', '-', '+', 'e', 'E', '.', 't', 'u'],
        ...[' ', '\n', '\u0001', '\u001f', "'", 'x', 'é', '😀'],
      ),
    });
    fc.assert(
      fc.property(chatBody, indentation, edit, cuts, (body, indent, change, cutPoints) => {
        const valid = JSON.stringify(body, null, indent);
        const position = change.position % (valid.length + 1);
        // An edit may split a surrogate pair: compare on the bytes, as the old reader decoded them.
        const bytes = encoder.encode(
          valid.slice(0, position) + change.insert + valid.slice(position + change.deleteCount),
        );
        const text = new TextDecoder().decode(bytes);
        let parsed: unknown;
        let isValidJson = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          isValidJson = false;
        }
        const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        if (isValidJson && isObject) {
          expect(scan(bytes, { cuts: cutPoints })).toEqual(expectedOf(parsed));
        } else {
          expect(
            codeOf(() => scan(bytes, { cuts: cutPoints })),
            text,
          ).toBe('INVALID_REQUEST');
        }
      }),
      { numRuns: 4000 },
    );
  });
});

describe('ChatBodyScanner edge cases', () => {
  it('follows escapes, including a backslash and a quote split across chunks', () => {
    const body = JSON.stringify({ id: 'c', messages: ['a\\"b', 'say \\"hi\\" \u0022 \\\\'] });
    for (let cut = 0; cut <= body.length; cut += 1) {
      expect(scan(body, { cuts: [cut] })).toEqual({ id: 'c', messages: ['say \\"hi\\" " \\\\'] });
    }
    expect(scan('{"messages":["\\u00e9\\uD83D\\uDE00\\/\\b\\f\\n\\r\\t"]}')).toEqual({
      messages: ['é😀/\b\f\n\r\t'],
    });
  });

  it('keeps multi-byte characters split across chunks', () => {
    const body = JSON.stringify({ id: 'é', messages: ['😀 first', 'né 😀 中文'] });
    const bytes = encoder.encode(body);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(scan(bytes, { cuts: [cut, cut + 1, cut + 2] })).toEqual({
        id: 'é',
        messages: ['né 😀 中文'],
      });
    }
  });

  it('keeps a slim body with `message` whole', () => {
    const body = { id: 'c', message: { id: 'm', role: 'user', parts: [] }, trigger: 't', x: 1 };
    expect(scan(JSON.stringify(body))).toEqual(body);
  });

  it('keeps an empty `messages` array empty', () => {
    expect(scan('{"id":"c","messages":[ ]}')).toEqual({ id: 'c', messages: [] });
  });

  it('keeps the last element whole when messages nest arrays and objects', () => {
    const body = '{"messages":[[1,[2]],{"messages":[7,8]},[3,[4,[5,{"a":[]}]]]],"n":[1,2]}';
    expect(scan(body)).toEqual({ messages: [[3, [4, [5, { a: [] }]]]], n: [1, 2] });
  });

  it('shortens only the top-level `messages`, found by its decoded name', () => {
    expect(scan('{"data":{"messages":[1,2]},"messag\\u0065s":[3,4]}')).toEqual({
      data: { messages: [1, 2] },
      messages: [4],
    });
    expect(scan('{"messages":{"a":[1,2]}}')).toEqual({ messages: { a: [1, 2] } });
    // Duplicate keys: the last one wins, as in JSON.parse.
    expect(scan('{"messages":[1,2],"id":"c","messages":[3,4]}')).toEqual({
      id: 'c',
      messages: [4],
    });
  });

  it('refuses a top-level value that is not an object', () => {
    for (const body of ['[]', '"x"', '1', '-1', 'null', 'true', 'false', ' [{}]']) {
      expect(() => scan(body), body).toThrow('request body must be a JSON object');
    }
  });

  it('refuses malformed JSON anywhere, in discarded history too', () => {
    const malformed = [
      '',
      '   ',
      '{',
      '{"messages":[{"a":tru},{"id":"x"}]}',
      '{"messages":[{"a":1},,{"id":"x"}]}',
      '{"messages":[{"a":1},]}',
      '{"messages":[{"a":"x\u0001"},{}]}',
      '{"messages":[{"a":"\\x"},{}]}',
      '{"messages":[{"a":"\\\'"},{}]}',
      '{"messages":[{"a":"\u001f"},{}]}',
      '{"messages":[{"a":"\\u12g4"},{}]}',
      '{"messages":[{"a":01},{}]}',
      '{"messages":[{"a":1.},{}]}',
      '{"messages":[{"a":1e},{}]}',
      '{"messages":[{"a":-},{}]}',
      '{"messages":[{"a" 1},{}]}',
      '{"messages":[{"a":1}}',
      '{"messages":[{1:2},{}]}',
      '{"id":"c"}}',
      '{"id":"c"} x',
      '{"id":\'c\'}',
      '\u00a0{}',
    ];
    for (const body of malformed) {
      expect(
        codeOf(() => scan(body)),
        body,
      ).toBe('INVALID_REQUEST');
      expect(() => JSON.parse(body), body).toThrow();
    }
  });

  it('accepts a leading byte order mark, as Response.text() does', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('{"id":"c"}')]);
    expect(scan(bytes, { cuts: [1, 2] })).toEqual({ id: 'c' });
    expect(codeOf(() => scan(new Uint8Array([0xef, 0xbb, 0x7b, 0x7d])))).toBe('INVALID_REQUEST');
  });

  it(`refuses nesting deeper than ${MAX_NESTING_DEPTH} levels, discarded or not`, () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    // The top-level object and the `messages` array take two levels.
    const deepest = `{"messages":[${nested(MAX_NESTING_DEPTH - 2)},1]}`;
    expect(scan(deepest)).toEqual({ messages: [1] });
    const tooDeep = `{"messages":[${nested(MAX_NESTING_DEPTH - 1)},1]}`;
    expect(() => scan(tooDeep)).toThrow(`nests deeper than ${MAX_NESTING_DEPTH} levels`);
  });
});

describe('ChatBodyScanner limits', () => {
  const large = 'x'.repeat(1000);
  const maxKeptBytes = 200;

  it('never counts history messages against the limit, however large', () => {
    const body = JSON.stringify({ id: 'c', messages: [large, large, 'new'], trigger: 't' });
    expect(scan(body, { maxKeptBytes, cuts: [10, 500, 1500] })).toEqual({
      id: 'c',
      messages: ['new'],
      trigger: 't',
    });
  });

  it('refuses a new message over the limit with 413', () => {
    const body = JSON.stringify({ id: 'c', messages: ['old', large] });
    expect(() => scan(body, { maxKeptBytes, cuts: [100, 600] })).toThrow(
      'the new message exceeds 200 bytes',
    );
    expect(codeOf(() => scan(body, { maxKeptBytes }))).toBe('PAYLOAD_TOO_LARGE');
    // Chunks smaller than the limit add up: a network delivers a body in pieces of any size.
    const smallChunks = Array.from({ length: 100 }, (_, index) => index * 16);
    expect(() => scan(body, { maxKeptBytes, cuts: smallChunks })).toThrow(
      'the new message exceeds 200 bytes',
    );
  });

  it('counts the other kept fields with the new message', () => {
    const slim = JSON.stringify({ id: 'c', message: large });
    expect(codeOf(() => scan(slim, { maxKeptBytes }))).toBe('PAYLOAD_TOO_LARGE');
    const clientData = JSON.stringify({ id: 'c', messages: ['m'], extra: large });
    expect(codeOf(() => scan(clientData, { maxKeptBytes }))).toBe('PAYLOAD_TOO_LARGE');
    const half = 'y'.repeat(90);
    const together = JSON.stringify({ messages: [large, half], extra: half });
    expect(codeOf(() => scan(together, { maxKeptBytes }))).toBe('PAYLOAD_TOO_LARGE');
    const fieldsFirst = JSON.stringify({ extra: half, messages: [large, half] });
    expect(codeOf(() => scan(fieldsFirst, { maxKeptBytes }))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a body whose kept part is exactly at the limit', () => {
    const body = JSON.stringify({ messages: [large, 'z'.repeat(100)] });
    const keptBytes = JSON.stringify({ messages: ['z'.repeat(100)] }).length;
    expect(scan(body, { maxKeptBytes: keptBytes })).toEqual({ messages: ['z'.repeat(100)] });
    expect(codeOf(() => scan(body, { maxKeptBytes: keptBytes - 1 }))).toBe('PAYLOAD_TOO_LARGE');
  });
});
