/**
 * A per-chat bearer token, or a function that returns the current one. The function form is called
 * before every request, so a caller that refreshes tokens never hands out a stale one.
 */
export type TokenSource = string | (() => string | Promise<string>);

/** Resolves a {@link TokenSource} into the value of an `authorization` header. */
export async function bearerAuthorization(token: TokenSource): Promise<string> {
  const value = typeof token === 'function' ? await token() : token;
  return `Bearer ${value}`;
}
