/** What {@link BatonApiError} is built from. */
export type BatonApiErrorInit = {
  method: string;
  url: string;
  status: number;
  /** The server's safe `error.message`, if its JSON body had one. */
  serverMessage?: string | undefined;
  /** The server's stable `error.code`, if any. */
  code?: string | undefined;
  /** The server's request id, to quote when reporting a problem. */
  requestId?: string | undefined;
};

/** A non-2xx answer from the Baton gateway. */
export class BatonApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(init: BatonApiErrorInit) {
    const detail = init.serverMessage === undefined ? '' : `: ${init.serverMessage}`;
    super(`${init.method} ${init.url} failed with status ${init.status}${detail}`);
    this.name = 'BatonApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
  }

  /**
   * Reads the gateway's error body (`{ error: { message, code }, requestId }`, any part optional)
   * and builds the error. A body that is not JSON only loses the detail.
   */
  static async fromResponse(
    method: string,
    url: string,
    response: Response,
  ): Promise<BatonApiError> {
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    const error = isRecord(json) && isRecord(json.error) ? json.error : {};
    return new BatonApiError({
      method,
      url,
      status: response.status,
      serverMessage: stringOrUndefined(error.message),
      code: stringOrUndefined(error.code),
      requestId:
        stringOrUndefined(isRecord(json) ? json.requestId : undefined) ??
        stringOrUndefined(error.requestId),
    });
  }
}

/** Narrows an unknown JSON value to an object whose fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
