export { createRedisClient, type RedisClientOptions } from './client.ts';
export {
  type ChatKeys,
  CUSTODY_SHARDS,
  chatKeys,
  custodyShardOf,
  DEFAULT_KEY_PREFIX,
  type GlobalKeys,
  globalKeys,
} from './keys.ts';
export { errorFromScriptCode, SCRIPT_CODES } from './script-errors.ts';
export { defineScripts, type ScriptName, type ScriptReply, type ScriptRunner } from './scripts.ts';
