import { BatonError, ERROR_CODES } from '@baton/protocol';
import { ByteBuffer } from './byte-buffer.ts';
import { invalidRequest } from './http-errors.ts';

/**
 * Deeper nesting is refused: code further on (JSON.stringify, the AI SDK's message validation)
 * recurses over a message, and the scanner's stack of one byte per level must stay small however
 * long the request is.
 */
export const MAX_NESTING_DEPTH = 1000;

// Scanner states. Plain numbers rather than an enum: Node strips types, it does not compile enums.
const START = 0; // before the top-level value (whitespace, a UTF-8 byte order mark)
const VALUE = 1; // a value must start (after ':' or after ',' in an array)
const VALUE_OR_CLOSE = 2; // after '[': a value or ']'
const KEY_OR_CLOSE = 3; // after '{': a key or '}'
const KEY = 4; // after ',' in an object: a key
const COLON = 5;
const AFTER_VALUE = 6; // ',' or the container's closer
const STRING = 7;
const STRING_ESCAPE = 8;
const STRING_UNICODE = 9; // inside \uXXXX
const NUMBER_MINUS = 10;
const NUMBER_ZERO = 11;
const NUMBER_INTEGER = 12;
const NUMBER_DOT = 13;
const NUMBER_FRACTION = 14;
const NUMBER_EXPONENT_MARK = 15;
const NUMBER_EXPONENT_SIGN = 16;
const NUMBER_EXPONENT = 17;
const LITERAL = 18; // inside true, false or null
const END = 19; // after the top-level value: only whitespace

const OBJECT = 1;
const ARRAY = 2;

// Where the bytes being scanned go.
const TO_FIELDS = 0; // kept: the top-level object without the history
const TO_MESSAGE = 1; // kept until the next message of the `messages` array replaces it
const TO_NOWHERE = 2; // a history message already over the limit: only its structure is checked

const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];
const MESSAGES_KEY = new TextEncoder().encode('"messages"');
/** The literals by their first byte: 't', 'f', 'n'. */
const LITERALS: Record<number, Uint8Array> = {
  116: new TextEncoder().encode('true'),
  102: new TextEncoder().encode('false'),
  110: new TextEncoder().encode('null'),
};

/** 1 for the bytes that end plain string content: '"', '\' and the control characters. */
const ENDS_PLAIN_TEXT = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte += 1) ENDS_PLAIN_TEXT[byte] = 1;
ENDS_PLAIN_TEXT[0x22] = 1;
ENDS_PLAIN_TEXT[0x5c] = 1;

/** The bytes after a backslash that JSON allows (besides `u`): " \ / b f n r t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isHexDigit(byte: number): boolean {
  return isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46);
}

/**
 * Scans a `POST /api/chat` body chunk by chunk and keeps only what the gateway uses: every
 * top-level field except `messages`, and of `messages` its last element. The stock
 * `DefaultChatTransport` echoes the whole history, which the worker holds already; keeping it would
 * make memory and the body limit grow with the conversation.
 *
 * The scanner checks the whole body's JSON grammar as `JSON.parse` does (strings, escapes,
 * numbers, literals, nesting), so malformed JSON anywhere is refused, yet it builds nothing for the
 * discarded messages. What it keeps is JSON text of the same top-level object with `messages`
 * shortened to its last element, parsed once by {@link ChatBodyScanner.finish}.
 *
 * Kept bytes are limited by `maxKeptBytes`: over it, the request is refused with 413 when the
 * bytes belong to a kept field, or when an oversized element of `messages` turns out to be the
 * last. An oversized history message is not an error: it is dropped as soon as it grows past the
 * limit, and scanning goes on.
 */
export class ChatBodyScanner {
  readonly #maxKeptBytes: number;
  readonly #fields = new ByteBuffer();
  readonly #message = new ByteBuffer();
  readonly #containers = new Uint8Array(MAX_NESTING_DEPTH + 1);
  #depth = 0;
  #state = START;
  /** Bytes of earlier chunks, for error positions. */
  #offset = 0;

  #chunk: Uint8Array = new Uint8Array(0);
  #runStart = 0;
  #runTarget = TO_FIELDS;

  #isKey = false;
  #keyStart = 0;
  #keyHasEscape = false;
  #isMessagesValueNext = false;
  #isInMessages = false;
  #isMessageOversized = false;
  #hexDigitsLeft = 0;
  #literal: Uint8Array = new Uint8Array(0);
  #literalIndex = 0;
  #byteOrderMarkIndex = 0;

  constructor(options: { maxKeptBytes: number }) {
    this.#maxKeptBytes = options.maxKeptBytes;
  }

  /** Scans the next chunk of the body; throws a 400 or 413 `BatonError` as soon as it can tell. */
  write(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#runStart = 0;
    const length = chunk.length;
    let index = 0;
    while (index < length) {
      const state = this.#state;
      if (state === STRING) {
        // Most of a body is message text: skip plain string bytes in a tight loop.
        while (index < length && ENDS_PLAIN_TEXT[chunk[index] as number] === 0) index += 1;
        if (index === length) break;
        const byte = chunk[index] as number;
        if (byte === 0x22) this.#endString(index);
        else if (byte === 0x5c) this.#state = STRING_ESCAPE;
        else throw this.#invalid(index);
        index += 1;
        continue;
      }
      const byte = chunk[index] as number;
      if (state >= NUMBER_MINUS && state <= NUMBER_EXPONENT) {
        if (this.#scanNumber(byte, index)) index += 1;
        continue;
      }
      this.#scanByte(byte, index);
      index += 1;
    }
    this.#flush(length);
    this.#offset += length;
  }

  /**
   * Ends the body and returns what was kept, parsed: the top-level object with `messages` (when
   * it is an array) holding only its last element.
   */
  finish(): Record<string, unknown> {
    if (this.#state !== END) {
      throw invalidRequest('request body is not valid JSON (it ends too early)');
    }
    const text = new TextDecoder().decode(this.#fields.view());
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new BatonError(ERROR_CODES.INVARIANT, 'the kept part of a scanned body is not JSON', {
        cause: error,
      });
    }
  }

  #scanByte(byte: number, index: number): void {
    switch (this.#state) {
      case START:
        this.#scanStart(byte, index);
        break;
      case VALUE:
      case VALUE_OR_CLOSE:
        if (isWhitespace(byte)) break;
        if (byte === 0x5d && this.#state === VALUE_OR_CLOSE) this.#close(ARRAY, index);
        else this.#startValue(byte, index);
        break;
      case KEY_OR_CLOSE:
      case KEY:
        if (isWhitespace(byte)) break;
        if (byte === 0x7d && this.#state === KEY_OR_CLOSE) this.#close(OBJECT, index);
        else if (byte === 0x22) this.#startKey(index);
        else throw this.#invalid(index);
        break;
      case COLON:
        if (isWhitespace(byte)) break;
        if (byte !== 0x3a) throw this.#invalid(index);
        this.#state = VALUE;
        break;
      case AFTER_VALUE:
        if (isWhitespace(byte)) break;
        if (byte === 0x2c) this.#nextValue(index);
        else if (byte === 0x7d) this.#close(OBJECT, index);
        else if (byte === 0x5d) this.#close(ARRAY, index);
        else throw this.#invalid(index);
        break;
      case STRING_ESCAPE:
        if (byte === 0x75) {
          this.#hexDigitsLeft = 4;
          this.#state = STRING_UNICODE;
        } else if (SIMPLE_ESCAPES.has(byte)) {
          this.#state = STRING;
        } else {
          throw this.#invalid(index);
        }
        if (this.#isKey) this.#keyHasEscape = true;
        break;
      case STRING_UNICODE:
        if (!isHexDigit(byte)) throw this.#invalid(index);
        this.#hexDigitsLeft -= 1;
        if (this.#hexDigitsLeft === 0) this.#state = STRING;
        break;
      case LITERAL:
        if (byte !== this.#literal[this.#literalIndex]) throw this.#invalid(index);
        this.#literalIndex += 1;
        if (this.#literalIndex === this.#literal.length) this.#state = AFTER_VALUE;
        break;
      case END:
        if (!isWhitespace(byte)) throw this.#invalid(index);
        break;
      default:
        throw new BatonError(ERROR_CODES.INVARIANT, `scanner in state ${this.#state}`);
    }
  }

  #scanStart(byte: number, index: number): void {
    // `Response.text()` drops a leading byte order mark; so does the reader it replaces.
    const offset = this.#offset + index;
    if (offset < 3 && offset === this.#byteOrderMarkIndex && byte === BYTE_ORDER_MARK[offset]) {
      this.#byteOrderMarkIndex += 1;
      return;
    }
    if (this.#byteOrderMarkIndex % 3 !== 0) throw this.#invalid(index);
    if (isWhitespace(byte)) return;
    if (byte === 0x7b) {
      this.#open(OBJECT);
      return;
    }
    const isOtherValue =
      byte === 0x5b || byte === 0x22 || byte === 0x2d || isDigit(byte) || byte in LITERALS;
    if (isOtherValue) throw invalidRequest('request body must be a JSON object');
    throw this.#invalid(index);
  }

  #startValue(byte: number, index: number): void {
    const isMessagesValue = this.#isMessagesValueNext;
    this.#isMessagesValueNext = false;
    if (byte === 0x7b) {
      this.#open(OBJECT);
    } else if (byte === 0x5b) {
      this.#open(ARRAY);
      if (isMessagesValue && this.#depth === 2) {
        // The history: from here on, each element replaces the one before it.
        this.#isInMessages = true;
        this.#switchTarget(TO_MESSAGE, index + 1);
      }
    } else if (byte === 0x22) {
      this.#isKey = false;
      this.#state = STRING;
    } else if (byte === 0x2d) {
      this.#state = NUMBER_MINUS;
    } else if (isDigit(byte)) {
      this.#state = byte === 0x30 ? NUMBER_ZERO : NUMBER_INTEGER;
    } else {
      const literal = LITERALS[byte];
      if (literal === undefined) throw this.#invalid(index);
      this.#literal = literal;
      this.#literalIndex = 1;
      this.#state = LITERAL;
    }
  }

  #startKey(index: number): void {
    this.#isKey = true;
    this.#keyHasEscape = false;
    this.#state = STRING;
    // At depth 1 every byte goes to the kept fields: note where this key will land there.
    if (this.#depth === 1) this.#keyStart = this.#fields.length + (index - this.#runStart);
  }

  /** A ',' after a value. */
  #nextValue(index: number): void {
    this.#state = this.#containers[this.#depth] === OBJECT ? KEY : VALUE;
    if (this.#depth === 2 && this.#isInMessages) this.#nextMessage(index);
  }

  /** Advances the number grammar; returns false when the byte ends the number unconsumed. */
  #scanNumber(byte: number, index: number): boolean {
    const state = this.#state;
    const next = nextNumberState(state, byte);
    if (next !== undefined) {
      this.#state = next;
      return true;
    }
    const isComplete =
      state === NUMBER_ZERO ||
      state === NUMBER_INTEGER ||
      state === NUMBER_FRACTION ||
      state === NUMBER_EXPONENT;
    if (!isComplete) throw this.#invalid(index);
    this.#state = AFTER_VALUE;
    return false;
  }

  #endString(index: number): void {
    if (!this.#isKey) {
      this.#state = AFTER_VALUE;
      return;
    }
    this.#isKey = false;
    this.#state = COLON;
    if (this.#depth !== 1) return;
    this.#flush(index + 1);
    this.#runStart = index + 1;
    const key = this.#fields.view(this.#keyStart);
    this.#isMessagesValueNext = this.#keyHasEscape
      ? JSON.parse(new TextDecoder().decode(key)) === 'messages'
      : key.length === MESSAGES_KEY.length && key.every((value, at) => value === MESSAGES_KEY[at]);
  }

  #open(kind: number): void {
    if (this.#depth === MAX_NESTING_DEPTH) {
      throw invalidRequest(`request body nests deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    this.#depth += 1;
    this.#containers[this.#depth] = kind;
    this.#state = kind === OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
  }

  #close(kind: number, index: number): void {
    if (this.#containers[this.#depth] !== kind) throw this.#invalid(index);
    if (this.#depth === 2 && this.#isInMessages) this.#endMessages(index);
    this.#depth -= 1;
    this.#state = this.#depth === 0 ? END : AFTER_VALUE;
  }

  /** A ',' between two elements of `messages`: the one before is history, drop it. */
  #nextMessage(index: number): void {
    this.#flush(index);
    this.#message.clear();
    this.#isMessageOversized = false;
    this.#runTarget = TO_MESSAGE;
    this.#runStart = index + 1;
  }

  /** The ']' of `messages`: what is held is its last element, the new message. */
  #endMessages(index: number): void {
    this.#flush(index);
    if (this.#isMessageOversized) {
      throw new BatonError(
        ERROR_CODES.PAYLOAD_TOO_LARGE,
        `the new message exceeds ${this.#maxKeptBytes} bytes`,
      );
    }
    // A view is valid until the buffer changes: keep it before clearing.
    const message = this.#message.view();
    this.#keep(message, 0, message.length);
    this.#message.clear();
    this.#isInMessages = false;
    this.#runTarget = TO_FIELDS;
    this.#runStart = index;
  }

  #switchTarget(target: number, index: number): void {
    this.#flush(index);
    this.#runTarget = target;
    this.#runStart = index;
  }

  /** Moves the bytes of the current run, up to `end`, where they go. */
  #flush(end: number): void {
    const start = this.#runStart;
    this.#runStart = end;
    if (end <= start) return;
    if (this.#runTarget === TO_FIELDS) {
      this.#keep(this.#chunk, start, end);
    } else if (this.#runTarget === TO_MESSAGE) {
      if (this.#fields.length + this.#message.length + (end - start) > this.#maxKeptBytes) {
        // Too large to be the new message; harmless if another message follows it.
        this.#message.clear();
        this.#isMessageOversized = true;
        this.#runTarget = TO_NOWHERE;
      } else {
        this.#message.append(this.#chunk, start, end);
      }
    }
  }

  #keep(source: Uint8Array, start: number, end: number): void {
    if (this.#fields.length + (end - start) > this.#maxKeptBytes) {
      throw new BatonError(
        ERROR_CODES.PAYLOAD_TOO_LARGE,
        `the new message and the other fields of the request exceed ${this.#maxKeptBytes} bytes`,
      );
    }
    this.#fields.append(source, start, end);
  }

  #invalid(index: number): BatonError {
    return invalidRequest(`request body is not valid JSON (at byte ${this.#offset + index})`);
  }
}

/** The number grammar of RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function nextNumberState(state: number, byte: number): number | undefined {
  const digit = isDigit(byte);
  switch (state) {
    case NUMBER_MINUS:
      if (!digit) return undefined;
      return byte === 0x30 ? NUMBER_ZERO : NUMBER_INTEGER;
    case NUMBER_ZERO:
    case NUMBER_INTEGER:
      if (digit && state === NUMBER_INTEGER) return NUMBER_INTEGER;
      if (byte === 0x2e) return NUMBER_DOT;
      if (byte === 0x65 || byte === 0x45) return NUMBER_EXPONENT_MARK;
      return undefined;
    case NUMBER_DOT:
    case NUMBER_FRACTION:
      if (digit) return NUMBER_FRACTION;
      if (state === NUMBER_FRACTION && (byte === 0x65 || byte === 0x45)) {
        return NUMBER_EXPONENT_MARK;
      }
      return undefined;
    case NUMBER_EXPONENT_MARK:
      if (byte === 0x2b || byte === 0x2d) return NUMBER_EXPONENT_SIGN;
      return digit ? NUMBER_EXPONENT : undefined;
    case NUMBER_EXPONENT_SIGN:
    case NUMBER_EXPONENT:
      return digit ? NUMBER_EXPONENT : undefined;
    default:
      return undefined;
  }
}
