import { connect, createServer, type Socket } from 'node:net';

export type TcpProxyOptions = {
  /** The port of the real server, e.g. a test's Redis. */
  targetPort: number;
  /** @default '127.0.0.1' */
  targetHost?: string;
};

/** A TCP proxy in front of a server, whose connections a test can stall or drop. */
export type TcpProxy = {
  /** Where the proxy listens on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`: give it to the process whose connections should be cut. */
  readonly url: string;
  /** Connections open through the proxy now. */
  readonly connectionCount: number;
  /**
   * A network partition: every connection stays open but no byte moves in either direction, and
   * new connections are accepted but go nowhere. The client's socket sees no error, no FIN, no
   * RST, so nothing but a timeout of its own tells it anything is wrong (what a half-open
   * connection behind a NAT or load balancer looks like).
   */
  blackhole(): void;
  /**
   * Ends the partition: bytes flow again, starting with those that waited (TCP retransmits what a
   * healed partition held back; nothing is lost or reordered).
   */
  heal(): void;
  /** Drops every live connection with an RST on both sides (a crashed middlebox or peer). */
  resetConnections(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
};

type Link = { client: Socket; upstream: Socket };

/**
 * Starts a TCP proxy for fault injection in tests: a process pointed at `url` reaches the target
 * only through it, and the test partitions or drops those connections at will.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ targetPort: redis.port });
 * const worker = await stack.startWorker({ REDIS_URL: proxy.url });
 * proxy.blackhole(); // the worker's Redis commands now hang
 * ```
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const links = new Set<Link>();
  let isBlackholed = false;

  const forward = ({ client, upstream }: Link) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  // Unpiped and paused, a socket stops reading: the kernel's buffers fill and TCP flow control
  // stalls the sender, as a partition does. Nothing is read and dropped, so `heal` can resume the
  // byte stream where it stopped (dropping bytes would desynchronize the RESP replies).
  const stall = ({ client, upstream }: Link) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const server = createServer((client) => {
    const upstream = connect(options.targetPort, targetHost);
    const link = { client, upstream };
    links.add(link);
    // Either side closing or failing ends the link: the proxy never outlives a connection's peer.
    const drop = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    if (isBlackholed) stall(link);
    else forward(link);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the TCP proxy has no port');
  const { port } = address;

  const resetConnections = () => {
    for (const { client, upstream } of links) {
      for (const socket of [client, upstream]) {
        // `resetAndDestroy` sends an RST; a socket still connecting or already closed just goes.
        if (socket.destroyed || socket.connecting) socket.destroy();
        else socket.resetAndDestroy();
      }
    }
    links.clear();
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get connectionCount() {
      return links.size;
    },
    blackhole: () => {
      if (isBlackholed) return;
      isBlackholed = true;
      for (const link of links) stall(link);
    },
    heal: () => {
      if (!isBlackholed) return;
      isBlackholed = false;
      for (const link of links) forward(link);
    },
    resetConnections,
    close: async () => {
      resetConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
