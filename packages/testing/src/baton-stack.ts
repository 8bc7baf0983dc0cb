import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CreateSessionResponse } from '@baton/protocol';
import type { UIMessage } from 'ai';
import { freePort } from './free-port.ts';
import { createGatewayChat, type GatewayChatOptions } from './gateway-chat.ts';
import type { NodeChat } from './node-chat.ts';
import { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
import { type ServiceProcess, startServiceProcess } from './service-process.ts';

/** The repository root, for the entry points of the apps. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const GATEWAY_ENTRY = `${REPOSITORY_ROOT}apps/gateway/src/main.ts`;
export const WORKER_ENTRY = `${REPOSITORY_ROOT}apps/worker/src/main.ts`;
export const DEMO_AGENTS = `${REPOSITORY_ROOT}apps/demo/src/agents.ts`;

export type BatonStackOptions = {
  /** Worker processes to start. @default 2 */
  workers?: number;
  /** Gateway processes to start. @default 1 */
  gateways?: number;
  /** Environment of every process (gateway and workers). */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  redis?: RedisServerOptions;
};

/** A gateway process and where it listens. */
export type GatewayProcess = { readonly process: ServiceProcess; readonly url: string };

/** A whole Baton of real processes: its own Redis, gateways, workers. */
export type BatonStack = {
  readonly redis: RedisServer;
  /** The first gateway's URL. */
  readonly gatewayUrl: string;
  readonly secret: string;
  /** The first gateway. */
  readonly gateway: ServiceProcess;
  readonly gateways: GatewayProcess[];
  readonly workers: ServiceProcess[];
  /** Starts one more worker process. */
  startWorker(env?: Record<string, string>): Promise<ServiceProcess>;
  /** Starts one more gateway process. */
  startGateway(env?: Record<string, string>): Promise<GatewayProcess>;
  /**
   * A fetch that sends every request to the first live gateway, whatever gateway its URL names:
   * a load balancer with failover, as a client behind one sees the gateways.
   */
  balancedFetch: typeof fetch;
  /** `POST /v1/sessions` with the secret key. */
  createSession(agent?: string, chatId?: string): Promise<CreateSessionResponse>;
  /** A stock AI SDK chat on this gateway, holding the session's token. */
  openChat(
    session: ChatAccess,
    options?: Omit<GatewayChatOptions, keyof ChatAccess | 'gatewayUrl'>,
  ): NodeChat;
  /** `GET /api/chat/:id/messages`: the persisted history. */
  fetchMessages(session: ChatAccess): Promise<UIMessage[]>;
  stop(): Promise<void>;
};

/** What a client holds of a chat. */
export type ChatAccess = { chatId: string; token: string };

/**
 * Starts Redis, a gateway and workers as separate processes, each ready before this resolves.
 * Workers host the demo agents with the offline model unless `env` says otherwise.
 */
export async function startBatonStack(options: BatonStackOptions = {}): Promise<BatonStack> {
  const redis = await startRedisServer(options.redis);
  const secret = randomBytes(24).toString('base64url');
  const commonEnv = { REDIS_URL: redis.url, LOG_LEVEL: 'info', ...options.env };
  const workers: ServiceProcess[] = [];
  const gateways: GatewayProcess[] = [];
  let workerCount = 0;

  const startWorker = async (env: Record<string, string> = {}) => {
    workerCount += 1;
    const worker = await startServiceProcess({
      name: `worker-${workerCount}`,
      script: WORKER_ENTRY,
      cwd: REPOSITORY_ROOT,
      env: {
        ...commonEnv,
        BATON_AGENTS: DEMO_AGENTS,
        BATON_WORKER_ID: `worker-${workerCount}`,
        ...options.workerEnv,
        ...env,
      },
      readyPattern: /"msg":"worker started"/,
    });
    workers.push(worker);
    return worker;
  };

  const startGateway = async (env: Record<string, string> = {}) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = await startServiceProcess({
      name: `gateway-${gateways.length + 1}`,
      script: GATEWAY_ENTRY,
      cwd: REPOSITORY_ROOT,
      env: {
        ...commonEnv,
        PORT: String(port),
        HOST: '127.0.0.1',
        BATON_SECRET: secret,
        ...options.gatewayEnv,
        ...env,
      },
      readyUrl: `${url}/healthz`,
    });
    const gateway = { process: service, url };
    gateways.push(gateway);
    return gateway;
  };

  try {
    for (let index = 0; index < (options.gateways ?? 1); index += 1) await startGateway();
    for (let index = 0; index < (options.workers ?? 2); index += 1) await startWorker();
  } catch (error) {
    await Promise.all(
      [...gateways, ...workers.map((process) => ({ process }))].map(({ process }) =>
        process.kill(),
      ),
    );
    await redis.stop();
    throw error;
  }
  const [first] = gateways;
  if (!first) throw new Error('a stack needs a gateway');
  const gatewayUrl = first.url;

  const liveGatewayUrl = (): string => {
    const live = gateways.find((gateway) => !gateway.process.hasExited);
    if (!live) throw new Error('no live gateway');
    return live.url;
  };
  const balancedFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const target = new URL(url.pathname + url.search, liveGatewayUrl());
    return fetch(target, init);
  };

  return {
    redis,
    gatewayUrl,
    secret,
    gateway: first.process,
    gateways,
    workers,
    startWorker,
    startGateway,
    balancedFetch,
    createSession: async (agent = 'demo', chatId) => {
      const response = await balancedFetch(`${gatewayUrl}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent, ...(chatId ? { chatId } : {}) }),
      });
      if (!response.ok) {
        throw new Error(`POST /v1/sessions failed: ${response.status} ${await response.text()}`);
      }
      return (await response.json()) as CreateSessionResponse;
    },
    openChat: (session, options = {}) =>
      createGatewayChat({ ...options, gatewayUrl, chatId: session.chatId, token: session.token }),
    fetchMessages: async (session) => {
      const response = await balancedFetch(`${gatewayUrl}/api/chat/${session.chatId}/messages`, {
        headers: { authorization: `Bearer ${session.token}` },
      });
      if (!response.ok) {
        throw new Error(`GET messages failed: ${response.status} ${await response.text()}`);
      }
      return ((await response.json()) as { messages: UIMessage[] }).messages;
    },
    stop: async () => {
      await Promise.all([
        ...gateways.map((gateway) => gateway.process.stop(5_000)),
        ...workers.map((worker) => worker.stop(5_000)),
      ]);
      await redis.stop();
    },
  };
}
