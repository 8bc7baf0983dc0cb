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
  /** A write landed on the Redis primary but not on enough replicas in time: not acknowledged. */
  REPLICATION_TIMEOUT: 'REPLICATION_TIMEOUT',
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

/**
 * A write that must survive a failover reached the Redis primary but fewer replicas than required
 * within the timeout (`WAIT`): it is not acknowledged, since a failover now would lose it. The
 * write itself may stand on the primary; every such write is idempotent (appends on their part
 * id, claims and completions on the epoch and write sequence, closes by nature), so the caller
 * retries the same request.
 */
export class ReplicationTimeoutError extends BatonError {
  readonly requiredReplicas: number;
  readonly acknowledgedReplicas: number;

  constructor(input: {
    /** What was not acknowledged, e.g. `appendInput`. */
    operation: string;
    chatId: string;
    requiredReplicas: number;
    acknowledgedReplicas: number;
    timeoutMs: number;
  }) {
    super(
      ERROR_CODES.REPLICATION_TIMEOUT,
      `${input.operation} of chat ${input.chatId} reached ${input.acknowledgedReplicas} of ` +
        `${input.requiredReplicas} required replicas within ${input.timeoutMs} ms`,
      {
        isRetryable: true,
        safeMessage: 'Temporarily unavailable: retry the same request',
      },
    );
    this.name = 'ReplicationTimeoutError';
    this.requiredReplicas = input.requiredReplicas;
    this.acknowledgedReplicas = input.acknowledgedReplicas;
  }
}
