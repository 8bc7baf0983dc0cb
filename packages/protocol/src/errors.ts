/**
 * Every Baton failure has a stable code and a retry decision (STYLE.md "Errors"). The gateway maps
 * codes to HTTP statuses in one place; clients see `safeMessage`, never a stack.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: 'INVALID_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  SESSION_CLOSED: 'SESSION_CLOSED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  LEASE_LOST: 'LEASE_LOST',
  LEASE_BUSY: 'LEASE_BUSY',
  STALE_RUN: 'STALE_RUN',
  INVARIANT: 'INVARIANT',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const MARKER = Symbol.for('baton.error');

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  /** Text that may reach a client; defaults to the message. */
  readonly safeMessage: string;
  readonly [MARKER] = true;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; isRetryable?: boolean; safeMessage?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BatonError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    this.safeMessage = options.safeMessage ?? message;
  }

  /** Works across duplicated module instances, unlike `instanceof`. */
  static isInstance(error: unknown): error is BatonError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/** The holder's lease epoch was superseded: stop writing, never acknowledge. */
export class LeaseLostError extends BatonError {
  constructor(chatId: string, epoch: number) {
    super(ERROR_CODES.LEASE_LOST, `lease of chat ${chatId} at epoch ${epoch} was taken over`, {
      isRetryable: false,
    });
    this.name = 'LeaseLostError';
  }
}
