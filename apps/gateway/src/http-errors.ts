import { BatonError, ERROR_CODES, type ErrorCode } from '@baton/protocol';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one map from error codes to HTTP statuses. */
const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SESSION_CLOSED: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  LEASE_LOST: 500,
  LEASE_BUSY: 503,
  STALE_RUN: 500,
  // The write may stand on the primary, unacknowledged: the client retries the same request,
  // which is idempotent (its part id), and gets it acknowledged once the replicas caught up.
  REPLICATION_TIMEOUT: 503,
  INVARIANT: 500,
};

export function invalidRequest(message: string): BatonError {
  return new BatonError(ERROR_CODES.INVALID_REQUEST, message);
}

/** The JSON error body every route answers with: a safe message and the request id. */
export function errorResponse(c: Context, error: unknown, requestId: string): Response {
  if (BatonError.isInstance(error)) {
    const status = STATUS_BY_CODE[error.code];
    // A server-side failure the client can act on (retry the same request) says so; the others
    // stay opaque.
    const message =
      status >= 500 && !error.isRetryable ? 'Internal server error' : error.safeMessage;
    if (status >= 500 && error.isRetryable) c.header('retry-after', '1');
    return c.json({ error: { code: error.code, message }, requestId }, status);
  }
  if (error instanceof HTTPException) {
    return c.json(
      { error: { code: 'HTTP_ERROR', message: error.message || 'Request failed' }, requestId },
      error.status,
    );
  }
  return c.json({ error: { code: 'INTERNAL', message: 'Internal server error' }, requestId }, 500);
}
