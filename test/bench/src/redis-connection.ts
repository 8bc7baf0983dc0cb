import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** A RESP reply: simple and bulk strings, integers, nil, arrays. Errors reject the command. */
export type RedisReply = string | number | null | RedisReply[];

type Pending = { resolve: (reply: RedisReply) => void; reject: (error: Error) => void };
type Parsed = { reply: RedisReply | Error; next: number };

/**
 * A minimal Redis client (RESP2 over `node:net`), enough for the bench to read a chat's session
 * hash while it kills workers: `@baton/redis` and ioredis are not dependencies of the bench.
 * Commands are pipelined in order on one connection.
 *
 * @example
 * ```ts
 * const redis = await RedisConnection.open(stack.redis.url);
 * const holder = await redis.command('HGET', 'baton:{chat}:session', 'holder');
 * redis.close();
 * ```
 */
export class RedisConnection {
  readonly #socket: Socket;
  readonly #pending: Pending[] = [];
  #buffer = Buffer.alloc(0);

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (data: Buffer) => this.#onData(data));
    const failAll = (error: Error) => {
      for (const pending of this.#pending.splice(0)) pending.reject(error);
    };
    socket.on('error', failAll);
    socket.on('close', () => failAll(new Error('redis connection closed')));
  }

  static async open(url: string): Promise<RedisConnection> {
    const { hostname, port, username, password } = new URL(url);
    const socket = connect({
      host: hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(port || 6379),
    });
    await once(socket, 'connect');
    const connection = new RedisConnection(socket);
    if (password !== '') {
      const user = username === '' ? [] : [decodeURIComponent(username)];
      await connection.command('AUTH', ...user, decodeURIComponent(password));
    }
    return connection;
  }

  command(...args: string[]): Promise<RedisReply> {
    const parts = [`*${args.length}\r\n`];
    for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
    return new Promise<RedisReply>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#socket.write(parts.join(''));
    });
  }

  close(): void {
    this.#socket.end();
  }

  #onData(data: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, data]);
    for (;;) {
      let parsed: Parsed | undefined;
      try {
        parsed = parseReply(this.#buffer, 0);
      } catch (error) {
        // A reply this parser cannot read leaves the stream out of step: fail every command.
        this.#socket.destroy(error as Error);
        return;
      }
      if (!parsed) return;
      this.#buffer = this.#buffer.subarray(parsed.next);
      const pending = this.#pending.shift();
      if (parsed.reply instanceof Error) pending?.reject(parsed.reply);
      else pending?.resolve(parsed.reply);
    }
  }
}

/** One reply from `offset`, or undefined while its bytes have not all arrived. */
function parseReply(buffer: Buffer, offset: number): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const kind = String.fromCharCode(buffer[offset] ?? 0);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case '+':
      return { reply: line, next };
    case '-':
      return { reply: new Error(`redis: ${line}`), next };
    case ':':
      return { reply: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, next };
      const items: RedisReply[] = [];
      let error: Error | undefined;
      let position = next;
      for (let index = 0; index < count; index += 1) {
        const item = parseReply(buffer, position);
        if (!item) return undefined;
        if (item.reply instanceof Error) error ??= item.reply;
        else items.push(item.reply);
        position = item.next;
      }
      return { reply: error ?? items, next: position };
    }
    default:
      throw new Error(`redis: unexpected reply ${JSON.stringify(buffer.toString('utf8', offset))}`);
  }
}
