import { createServer } from 'node:net';

/**
 * Whether `host:port` was free a moment ago: checked up front for a clear message. Other listen
 * errors (a host that is not this machine's) count as free; the gateway then reports them.
 */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'EADDRINUSE'));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
