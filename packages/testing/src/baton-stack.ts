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
  /** Environment of every process (gateway and workers). */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  redis?: RedisServerOptions;
};

/** A whole Baton of real processes: its own Redis, one gateway, N workers. */
export type BatonStack = {
  readonly redis: RedisServer;
  readonly gatewayUrl: string;
  readonly secret: string;
  readonly gateway: ServiceProcess;
  readonly workers: ServiceProcess[];
  /** Starts one more worker process. */
  startWorker(env?: Record<string, string>): Promise<ServiceProcess>;
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
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const commonEnv = { REDIS_URL: redis.url, LOG_LEVEL: 'info', ...options.env };
  const workers: ServiceProcess[] = [];
  let workerCount = 0;
  let gateway: ServiceProcess | undefined;

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

  try {
    gateway = await startServiceProcess({
      name: 'gateway',
      script: GATEWAY_ENTRY,
      cwd: REPOSITORY_ROOT,
      env: {
        ...commonEnv,
        PORT: String(port),
        HOST: '127.0.0.1',
        BATON_SECRET: secret,
        ...options.gatewayEnv,
      },
      readyUrl: `${gatewayUrl}/healthz`,
    });
    for (let index = 0; index < (options.workers ?? 2); index += 1) await startWorker();
  } catch (error) {
    await Promise.all([gateway?.kill(), ...workers.map((worker) => worker.kill())]);
    await redis.stop();
    throw error;
  }
  const startedGateway = gateway;

  return {
    redis,
    gatewayUrl,
    secret,
    gateway: startedGateway,
    workers,
    startWorker,
    createSession: async (agent = 'demo', chatId) => {
      const response = await fetch(`${gatewayUrl}/v1/sessions`, {
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
      const response = await fetch(`${gatewayUrl}/api/chat/${session.chatId}/messages`, {
        headers: { authorization: `Bearer ${session.token}` },
      });
      if (!response.ok) {
        throw new Error(`GET messages failed: ${response.status} ${await response.text()}`);
      }
      return ((await response.json()) as { messages: UIMessage[] }).messages;
    },
    stop: async () => {
      await Promise.all([
        startedGateway.stop(5_000),
        ...workers.map((worker) => worker.stop(5_000)),
      ]);
      await redis.stop();
    },
  };
}
