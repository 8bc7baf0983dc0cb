import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQueueName } from '@baton/protocol';
import { globalKeys } from '@baton/redis';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { INFRA } from './podman.ts';

// infra/kubernetes against the Kubernetes and KEDA schemas (kubernetes-models validates each
// object as the API server would), and against what the code expects of them.

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const directory = join(INFRA, 'kubernetes');
const manifests: Manifest[] = readdirSync(directory)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map(
      (document) => document.toJS() as Manifest,
    ),
  );

function find<T>(kind: string, name: string): T {
  const found = manifests.find((entry) => entry.kind === kind && entry.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in infra/kubernetes`);
  return found as T;
}

type Container = {
  env?: { name: string; value?: string }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  ports: { name: string; containerPort: number }[];
};
type DeploymentSpec = {
  spec: {
    template: {
      spec: { terminationGracePeriodSeconds: number; containers: Container[] };
    };
  };
};

describe('infra/kubernetes', () => {
  it.each(manifests.map((manifest) => [`${manifest.kind} ${manifest.metadata.name}`, manifest]))(
    '%s is valid against its schema',
    (_name, manifest) => {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `no schema for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
      expect(() => new Model!(manifest as never).validate()).not.toThrow();
    },
  );

  it('gives a worker longer to terminate than its drain', () => {
    const worker = find<DeploymentSpec>('Deployment', 'baton-worker').spec.template.spec;
    const drainMs = Number(
      worker.containers[0]?.env?.find((entry) => entry.name === 'BATON_DRAIN_TIMEOUT_MS')?.value,
    );
    expect(drainMs).toBeGreaterThan(0);
    expect(worker.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(drainMs + 10_000);
  });

  it('probes the ports and paths the processes serve', () => {
    for (const name of ['baton-gateway', 'baton-worker']) {
      const [container] = find<DeploymentSpec>('Deployment', name).spec.template.spec.containers;
      expect(container?.readinessProbe?.httpGet.path).toBe('/readyz');
      expect(container?.livenessProbe?.httpGet.path).toBe('/healthz');
      const port = container?.ports.find(
        (entry) => entry.name === container.readinessProbe?.httpGet.port,
      );
      expect(port, name).toBeDefined();
    }
    const [worker] = find<DeploymentSpec>('Deployment', 'baton-worker').spec.template.spec
      .containers;
    const healthPort = worker?.env?.find((entry) => entry.name === 'BATON_HEALTH_PORT')?.value;
    expect(Number(healthPort)).toBe(worker?.ports[0]?.containerPort);
  });

  it("scales the workers on the demo agent's waiting runs, the queue the gateway fills", () => {
    const scaled = find<{
      spec: { triggers: { type: string; metadata: Record<string, string> }[] };
    }>('ScaledObject', 'baton-worker');
    const [trigger] = scaled.spec.triggers;
    expect(trigger?.type).toBe('redis');
    expect(trigger?.metadata.listName).toBe(
      `${globalKeys().queuePrefix}:${runQueueName('demo')}:wait`,
    );
  });
});
