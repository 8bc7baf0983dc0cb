export {
  type CustodyEntry,
  CustodyIndex,
  type CustodyIndexOptions,
  type CustodyView,
} from './custody-index.ts';
export { type FollowStreamOptions, followStream } from './follow-stream.ts';
export { type PreloadResult, preloadSession } from './preload-session.ts';
export {
  type AppendInputResult,
  RedisSessionStore,
  type TurnCheckpoint,
} from './redis-session-store.ts';
export type { RedisSessionStoreOptions } from './redis-session-store-options.ts';
export { ClaimNotReplicatedError } from './replica-acknowledgement.ts';
export { RunQueue } from './run-queue.ts';
export { compareStreamIds } from './stream-entries.ts';
export { WakeSubscriber } from './wake-subscriber.ts';
export { WorkerRegistry, type WorkerRegistryOptions } from './worker-registry.ts';
export { WriteFence } from './write-fence.ts';
