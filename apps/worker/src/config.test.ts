import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, WORKER_SETTINGS, workerEnvironmentSchema } from './config.ts';

const AGENTS = { BATON_AGENTS: './agents.ts' };

describe('loadWorkerConfig replica acknowledgements', () => {
  it('waits for no replica by default, and 500 ms when asked to', () => {
    expect(loadWorkerConfig(AGENTS)).toMatchObject({
      redisMinReplicas: 0,
      redisReplicaTimeoutMs: 500,
    });
    expect(loadWorkerConfig({ ...AGENTS, BATON_REDIS_MIN_REPLICAS: '2' })).toMatchObject({
      redisMinReplicas: 2,
    });
  });

  it('refuses a replica timeout that could hold a lease renewal up past the lease', () => {
    const environment = {
      ...AGENTS,
      BATON_LEASE_MS: '2000',
      BATON_REDIS_REPLICA_TIMEOUT_MS: '600',
    };
    expect(() => loadWorkerConfig({ ...environment, BATON_REDIS_MIN_REPLICAS: '1' })).toThrow(
      /a quarter of BATON_LEASE_MS/,
    );
    // Without replica acknowledgements the timeout is unused and constrains nothing.
    expect(loadWorkerConfig(environment)).toMatchObject({ redisMinReplicas: 0 });
  });

  it('refuses a replica timeout above half the command timeout', () => {
    const environment = {
      ...AGENTS,
      BATON_LEASE_MS: '20000',
      BATON_REDIS_REPLICA_TIMEOUT_MS: '3000',
      BATON_REDIS_COMMAND_TIMEOUT_MS: '5000',
      BATON_REDIS_MIN_REPLICAS: '1',
    };
    expect(() => loadWorkerConfig(environment)).toThrow(/half of BATON_REDIS_COMMAND_TIMEOUT_MS/);
  });
});

describe('WORKER_SETTINGS', () => {
  it('documents every variable of the environment schema but the test-only one', () => {
    const documented = WORKER_SETTINGS.map((setting) => setting.env).sort();
    const read = Object.keys(workerEnvironmentSchema.shape)
      .filter((name) => name !== 'BATON_FAULT_INJECTION')
      .sort();
    expect(documented).toEqual(read);
    expect(new Set(WORKER_SETTINGS.map((setting) => setting.flag)).size).toBe(documented.length);
  });
});
