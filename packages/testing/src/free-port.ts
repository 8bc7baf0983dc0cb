import getPort from 'get-port';

/**
 * A TCP port that was free a moment ago on every local address (get-port). get-port also keeps a
 * port it handed out from being handed out again by this process for 15 to 30 s, so the servers
 * one test starts in a row never race for the same port.
 */
export function freePort(): Promise<number> {
  return getPort();
}
