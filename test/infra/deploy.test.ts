import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatKeys, createRedisClient } from '@baton/redis';
import { freePort, type RedisServer, startRedisServer, waitUntil } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { chatThroughAWorkerKill } from './chat-through-a-kill.ts';
import { buildImages, IMAGE_TAG, INFRA, podman, requireTools, run } from './podman.ts';

// infra/ for real: the images built from the packed packages, the compose stack (Redis with AOF,
// two gateways behind haproxy, three workers) under podman-compose, and the Kubernetes manifests
// under `podman kube play`; each serves the stock AI SDK client through a worker's SIGKILL.

const SECRET = 'a-secret-of-the-infra-tests';
/** Slow enough that a kill lands in the middle of an answer (about 2.5 s of words). */
const DEMO_DELAY_MS = '50';
const PROJECT = 'baton-infra-test';

beforeAll(async () => {
  requireTools(['podman', 'podman-compose', 'debootstrap', 'runc']);
  await buildImages();
}, 900_000);

describe('the compose stack', () => {
  let port: number;
  const compose = (args: string[]) =>
    run('podman-compose', ['-p', PROJECT, '-f', join(INFRA, 'compose.yaml'), ...args], {
      env: {
        BATON_SECRET: SECRET,
        BATON_HTTP_PORT: String(port),
        BATON_IMAGE_TAG: IMAGE_TAG,
        BATON_DEMO_DELAY_MS: DEMO_DELAY_MS,
      },
      timeoutMs: 180_000,
    });
  const container = (service: string) => `${PROJECT}_${service}_1`;

  beforeAll(async () => {
    port = await freePort();
    await compose(['down', '-v']).catch(() => {});
    await compose(['up', '-d']);
    await waitUntil(async () => (await liveWorkers(`http://127.0.0.1:${port}`)) === 3, {
      description: 'haproxy answers and three workers host the demo agent',
      timeoutMs: 90_000,
      intervalMs: 500,
    });
  }, 240_000);

  afterAll(async () => {
    if (port !== undefined) await compose(['down', '-v']);
  }, 180_000);

  it('runs each process as a user without privileges, healthy by its HEALTHCHECK', async () => {
    for (const service of ['gateway-1', 'worker-1']) {
      expect((await podman(['exec', container(service), 'id', '-u'])).trim()).toBe('10001');
      await podman(['healthcheck', 'run', container(service)]);
    }
    const appendOnly = await podman([
      'exec',
      container('redis'),
      'redis-cli',
      'config',
      'get',
      'appendonly',
    ]);
    expect(appendOnly).toContain('yes');
  });

  it('serves the stock client through haproxy while the answering worker is SIGKILLed', async () => {
    const killed = await chatThroughAWorkerKill({
      gatewayUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      holderOf: async (chatId) =>
        (
          await podman([
            'exec',
            container('redis'),
            'redis-cli',
            'hget',
            chatKeys(chatId).session,
            'holder',
          ])
        ).trim(),
      killWorker: async (workerId) => {
        await podman(['kill', '--signal', 'KILL', container(workerId)]);
      },
    });
    expect(killed).toMatch(/^worker-[123]$/);
  });

  it('drains a worker on SIGTERM: Node gets the signal and exits 0', async () => {
    await podman(['stop', '--time', '40', container('worker-3')], 60_000);
    const logs = await podman(['logs', container('worker-3')]);
    expect(logs).toContain('"msg":"draining"');
    expect(logs).toContain('"msg":"worker stopped"');
    const exitCode = await podman([
      'inspect',
      container('worker-3'),
      '--format',
      '{{.State.ExitCode}}',
    ]);
    expect(exitCode.trim()).toBe('0');
  });
});

describe('the Kubernetes manifests under podman kube play', () => {
  let redis: RedisServer;
  let manifest: string;
  let gatewayPort: number;

  beforeAll(async () => {
    // Redis is an external dependency of the manifests; here a redis-server of the host.
    redis = await startRedisServer({ bind: '0.0.0.0' });
    gatewayPort = await freePort();
    manifest = join(tmpdir(), `baton-kube-${process.pid}.yaml`);
    writeFileSync(manifest, await playableManifests(redis.port, gatewayPort));
    await podman(['kube', 'down', manifest]).catch(() => {});
    await podman(['kube', 'play', manifest], 180_000);
    await waitUntil(async () => (await liveWorkers(`http://127.0.0.1:${gatewayPort}`)) === 3, {
      description: 'the gateway answers and three workers host the demo agent',
      timeoutMs: 90_000,
      intervalMs: 500,
    });
  }, 240_000);

  afterAll(async () => {
    if (manifest !== undefined) await podman(['kube', 'down', manifest], 120_000);
    await redis?.stop();
  }, 180_000);

  it('answers the probes the manifests name', async () => {
    expect((await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${gatewayPort}/healthz`)).status).toBe(200);
  });

  it('serves the stock client while the answering worker is SIGKILLed', async () => {
    const commands = createRedisClient({ url: redis.url, name: 'infra-test' });
    try {
      const killed = await chatThroughAWorkerKill({
        gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
        secret: SECRET,
        holderOf: async (chatId) => (await commands.hget(chatKeys(chatId).session, 'holder')) ?? '',
        // BATON_WORKER_ID is the pod's name; its container is `<pod>-worker`.
        killWorker: async (workerId) => {
          await podman(['kill', '--signal', 'KILL', `${workerId}-worker`]);
        },
      });
      expect(killed).toMatch(/^baton-worker-\d-pod-0$/);
    } finally {
      commands.disconnect();
    }
  });
});

async function liveWorkers(gatewayUrl: string): Promise<number> {
  try {
    const response = await fetch(`${gatewayUrl}/v1/agents`, {
      headers: { authorization: `Bearer ${SECRET}` },
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return 0;
    const { agents } = (await response.json()) as { agents: { id: string; workers: number }[] };
    return agents.find((agent) => agent.id === 'demo')?.workers ?? 0;
  } catch {
    return 0;
  }
}

/**
 * infra/kubernetes as podman 4.3's `kube play` can run it, changed only where podman differs from
 * a cluster: it publishes every container port on the host (so each replica becomes a Deployment
 * of one with a host port of its own), it cannot read a Secret through `envFrom` (the secret key
 * goes into the ConfigMap), and Redis is the host's. Images, probes, users, the read-only root file
 * system and the worker's settings are the manifests' own.
 */
async function playableManifests(redisPort: number, gatewayPort: number): Promise<string> {
  const documents: Record<string, unknown>[] = [];
  for (const file of ['config.yaml', 'gateway.yaml', 'worker.yaml']) {
    const text = readFileSync(join(INFRA, 'kubernetes', file), 'utf8');
    for (const document of parseAllDocuments(text)) documents.push(document.toJS());
  }
  const played: Record<string, unknown>[] = [];
  for (const document of documents) {
    const kind = document.kind as string;
    if (kind === 'Secret' || kind === 'Service' || kind === 'PodDisruptionBudget') continue;
    if (kind === 'ScaledObject') continue;
    if (kind === 'ConfigMap') {
      const data = document.data as Record<string, string>;
      data.REDIS_URL = `redis://host.containers.internal:${redisPort}`;
      data.BATON_SECRET = SECRET;
      data.BATON_DEMO_DELAY_MS = DEMO_DELAY_MS;
      played.push(document);
      continue;
    }
    const deployment = document as DeploymentShape;
    const replicas = deployment.spec.replicas;
    for (let index = 0; index < replicas; index++) {
      const copy = structuredClone(deployment);
      copy.metadata.name = `${deployment.metadata.name}-${index}`;
      copy.spec.replicas = 1;
      for (const container of copy.spec.template.spec.containers) {
        container.image = container.image.replace(/:dev$/, `:${IMAGE_TAG}`);
        container.envFrom = container.envFrom.filter((source) => source.secretRef === undefined);
        for (const port of container.ports) {
          port.hostPort =
            container.name === 'gateway' && index === 0 ? gatewayPort : await freePort();
        }
      }
      played.push(copy);
    }
  }
  return played.map((document) => stringify(document)).join('---\n');
}

type DeploymentShape = {
  metadata: { name: string };
  spec: {
    replicas: number;
    template: {
      spec: {
        containers: {
          name: string;
          image: string;
          envFrom: { secretRef?: unknown; configMapRef?: unknown }[];
          ports: { containerPort: number; hostPort?: number }[];
        }[];
      };
    };
  };
};
