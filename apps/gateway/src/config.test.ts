import { describe, expect, it } from 'vitest';
import { GATEWAY_SETTINGS, gatewayEnvironmentSchema, loadGatewayConfig } from './config.ts';

const SECRET = { BATON_SECRET: 'a-secret-of-24-characters' };

describe('loadGatewayConfig body limits', () => {
  it('limits the new message to 1 MiB and the whole request to 64 MiB by default', () => {
    expect(loadGatewayConfig(SECRET)).toMatchObject({
      maxMessageBytes: 1024 * 1024,
      maxRequestBytes: 64 * 1024 * 1024,
    });
  });

  it('still reads the former name BATON_MAX_BODY_BYTES; the new name wins', () => {
    expect(loadGatewayConfig({ ...SECRET, BATON_MAX_BODY_BYTES: '2048' })).toMatchObject({
      maxMessageBytes: 2048,
    });
    const both = { ...SECRET, BATON_MAX_BODY_BYTES: '2048', BATON_MAX_MESSAGE_BYTES: '4096' };
    expect(loadGatewayConfig(both)).toMatchObject({ maxMessageBytes: 4096 });
  });

  it('refuses a request limit below the message limit', () => {
    const environment = {
      ...SECRET,
      BATON_MAX_MESSAGE_BYTES: '4096',
      BATON_MAX_REQUEST_BYTES: '2048',
    };
    expect(() => loadGatewayConfig(environment)).toThrow(/BATON_MAX_REQUEST_BYTES/);
  });
});

describe('loadGatewayConfig replica acknowledgements', () => {
  it('waits for no replica by default, and 500 ms when asked to', () => {
    expect(loadGatewayConfig(SECRET)).toMatchObject({
      redisMinReplicas: 0,
      redisReplicaTimeoutMs: 500,
    });
    expect(loadGatewayConfig({ ...SECRET, BATON_REDIS_MIN_REPLICAS: '1' })).toMatchObject({
      redisMinReplicas: 1,
    });
  });

  it('refuses a replica timeout above half the command timeout', () => {
    const environment = {
      ...SECRET,
      BATON_REDIS_REPLICA_TIMEOUT_MS: '3000',
      BATON_REDIS_COMMAND_TIMEOUT_MS: '5000',
      BATON_REDIS_MIN_REPLICAS: '1',
    };
    expect(() => loadGatewayConfig(environment)).toThrow(/BATON_REDIS_REPLICA_TIMEOUT_MS/);
  });
});

describe('GATEWAY_SETTINGS', () => {
  it('documents every variable of the environment schema but the test-only ones', () => {
    const documented = GATEWAY_SETTINGS.map((setting) => setting.env).sort();
    const read = Object.keys(gatewayEnvironmentSchema.shape)
      .filter((name) => name !== 'BATON_FAULT_INJECTION' && name !== 'BATON_MAX_BODY_BYTES')
      .sort();
    expect(documented).toEqual(read);
    expect(new Set(GATEWAY_SETTINGS.map((setting) => setting.flag)).size).toBe(documented.length);
  });
});
