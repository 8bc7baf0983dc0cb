import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts of `./lua`, the source of truth (STYLE.md "Lua scripts"). Each is registered on
 * a client with ioredis `defineCommand`, which runs it by EVALSHA and falls back to EVAL after a
 * `NOSCRIPT` (a restarted or failed-over Redis), in pipelines too.
 */
const SCRIPT_KEY_COUNTS = {
  createSession: 1,
  appendInput: 5,
  claimSession: 3,
  renewLease: 2,
  appendOutput: 2,
  startTurn: 2,
  completeTurn: 4,
  saveCheckpoint: 2,
  suspendSession: 5,
  releaseSession: 2,
  closeSession: 5,
  requeueSession: 2,
  releaseCustody: 1,
  preloadSession: 4,
} as const;

export type ScriptName = keyof typeof SCRIPT_KEY_COUNTS;

/** Script replies: `[code, ...payload]`; a negative code is a domain failure (see script-errors). */
export type ScriptReply = [number, ...(string | number)[]];

type ScriptArgument = string | number;

/** A client with Baton's scripts defined on it. */
export type ScriptRunner = {
  run(name: ScriptName, keys: string[], args: ScriptArgument[]): Promise<ScriptReply>;
};

const LUA_DIRECTORY = join(import.meta.dirname, 'lua');

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const SOURCES = Object.fromEntries(
  Object.keys(SCRIPT_KEY_COUNTS).map((name) => [
    name,
    readFileSync(join(LUA_DIRECTORY, `${kebabCase(name)}.lua`), 'utf8'),
  ]),
) as Record<ScriptName, string>;

const COMMAND_PREFIX = 'baton_';
const DEFINED = Symbol.for('baton.scriptsDefined');

type ScriptedRedis = Redis & Record<string, (...args: ScriptArgument[]) => Promise<unknown>>;

/** Registers every script on `redis` (once per client) and returns a typed runner. */
export function defineScripts(redis: Redis): ScriptRunner {
  const client = redis as ScriptedRedis & { [DEFINED]?: true };
  if (!client[DEFINED]) {
    for (const [name, numberOfKeys] of Object.entries(SCRIPT_KEY_COUNTS)) {
      client.defineCommand(`${COMMAND_PREFIX}${name}`, {
        numberOfKeys,
        lua: SOURCES[name as ScriptName],
      });
    }
    client[DEFINED] = true;
  }
  return {
    async run(name, keys, args) {
      if (keys.length !== SCRIPT_KEY_COUNTS[name]) {
        throw new Error(`script ${name} takes ${SCRIPT_KEY_COUNTS[name]} keys, got ${keys.length}`);
      }
      const command = client[`${COMMAND_PREFIX}${name}`];
      if (command === undefined) {
        throw new Error(`script ${name} is not defined on this client`);
      }
      return (await command.call(client, ...keys, ...args)) as ScriptReply;
    },
  };
}
