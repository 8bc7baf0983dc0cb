export { freePort } from './free-port.ts';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
