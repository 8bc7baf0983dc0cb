import type { ProcessSetting } from '@baton/protocol';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addSettingOptions, settingsEnvironment, withFlags } from './setting-options.ts';

const SETTINGS: ProcessSetting[] = [
  { env: 'PORT', flag: 'port', value: '<port>', description: 'the port' },
  { env: 'BATON_AGENTS', flag: 'agents', value: '<files...>', description: 'agent modules' },
  { env: 'BATON_PLAYGROUND', flag: 'playground', description: 'a switch' },
];

function parse(argv: string[], environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  let result: NodeJS.ProcessEnv = {};
  const command = addSettingOptions(new Command('test'), SETTINGS)
    .exitOverride()
    .action((_options, self: Command) => {
      result = settingsEnvironment(self, SETTINGS, environment);
    });
  command.parse(argv, { from: 'user' });
  return result;
}

describe('settingsEnvironment', () => {
  it('writes each flag under its variable: several values comma-joined, a switch as 1', () => {
    expect(parse(['--port', '3300', '--agents', 'a.ts', 'b.ts', '--playground'], {})).toEqual({
      PORT: '3300',
      BATON_AGENTS: 'a.ts,b.ts',
      BATON_PLAYGROUND: '1',
    });
  });

  it('keeps the environment, and a flag wins over its variable', () => {
    expect(parse(['--port', '3300'], { PORT: '4000', OTHER: 'kept' })).toEqual({
      PORT: '3300',
      OTHER: 'kept',
    });
    expect(parse([], { PORT: '4000', BATON_PLAYGROUND: '1' })).toEqual({
      PORT: '4000',
      BATON_PLAYGROUND: '1',
    });
  });

  it('documents each option with its variable', () => {
    const help = addSettingOptions(new Command('test'), SETTINGS).helpInformation();
    expect(help).toMatch(/--port <port>\s+the port \(env: PORT\)/);
    expect(help).toMatch(/--agents <files\.\.\.>\s+agent modules \(env: BATON_AGENTS\)/);
  });
});

describe('withFlags', () => {
  it('names a setting by its flag and its variable', () => {
    expect(withFlags('PORT must be an integer from 1 to 65535; got "abc"', SETTINGS)).toBe(
      '--port (PORT) must be an integer from 1 to 65535; got "abc"',
    );
    expect(withFlags('invalid worker configuration:\n  BATON_AGENTS: required', SETTINGS)).toBe(
      'invalid worker configuration:\n  --agents (BATON_AGENTS): required',
    );
    expect(withFlags('BATON_PORTS and REDIS_PORT are other names', SETTINGS)).toBe(
      'BATON_PORTS and REDIS_PORT are other names',
    );
  });
});
