export { type FollowStreamOptions, followStream } from './follow-stream.ts';
export {
  type AppendInputResult,
  RedisSessionStore,
  type RedisSessionStoreOptions,
  type TurnCheckpoint,
} from './redis-session-store.ts';
export { RunQueue } from './run-queue.ts';
export { compareStreamIds } from './stream-entries.ts';
export { WakeSubscriber } from './wake-subscriber.ts';
export { WriteFence } from './write-fence.ts';
