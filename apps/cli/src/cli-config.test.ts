import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliConfigError, loadCliConfig } from './cli-config.ts';

describe('loadCliConfig', () => {
  it('has defaults for a bare environment', () => {
    expect(loadCliConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      workerCount: 2,
      redisUrl: undefined,
      redisPort: undefined,
      shouldSkipBuild: false,
      secret: undefined,
      logLevel: 'warn',
      agentModules: undefined,
      shouldWatch: false,
    });
  });

  it('reads every setting', () => {
    expect(
      loadCliConfig(
        {
          PORT: '3300',
          HOST: '0.0.0.0',
          BATON_WORKERS: '4',
          REDIS_URL: 'redis://redis:6379',
          BATON_REDIS_PORT: '6400',
          BATON_SKIP_BUILD: '1',
          BATON_SECRET: 'a-secret-of-24-characters',
          LOG_LEVEL: 'debug',
          BATON_AGENTS: './cli-config.ts, @acme/agents',
          BATON_WATCH: 'off',
        },
        import.meta.dirname,
      ),
    ).toEqual({
      port: 3300,
      host: '0.0.0.0',
      workerCount: 4,
      redisUrl: 'redis://redis:6379',
      redisPort: 6400,
      shouldSkipBuild: true,
      secret: 'a-secret-of-24-characters',
      logLevel: 'debug',
      agentModules: [join(import.meta.dirname, 'cli-config.ts'), '@acme/agents'],
      shouldWatch: false,
    });
  });

  it('watches the agent files by default when it hosts agents of its own', () => {
    const environment = { BATON_AGENTS: './cli-config.ts' };
    expect(loadCliConfig(environment, import.meta.dirname).shouldWatch).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadCliConfig({ PORT: '', REDIS_URL: ' ', BATON_SKIP_BUILD: '' })).toMatchObject({
      port: 3000,
      redisUrl: undefined,
      shouldSkipBuild: false,
    });
  });

  it.each([
    [{ PORT: '80a' }, 'PORT must be an integer from 1 to 65535; got "80a"'],
    [{ PORT: '70000' }, 'PORT must be an integer'],
    [{ BATON_WORKERS: '0' }, 'BATON_WORKERS must be an integer from 1 to 64'],
    [{ BATON_REDIS_PORT: '-1' }, 'BATON_REDIS_PORT must be an integer'],
    [{ BATON_SECRET: 'short' }, 'BATON_SECRET must be at least 16 characters'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of trace, debug, info, warn, error'],
    [{ BATON_AGENTS: './missing-agents.ts' }, 'missing-agents.ts does not exist'],
    [{ BATON_WATCH: 'sometimes' }, 'BATON_WATCH must be on or off'],
  ])('rejects %o', (environment, message) => {
    expect(() => loadCliConfig(environment)).toThrow(CliConfigError);
    expect(() => loadCliConfig(environment)).toThrow(message);
  });
});
