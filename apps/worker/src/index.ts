export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export { loadAgents } from './load-agents.ts';
export { WorkerHost, type WorkerState } from './worker-host.ts';
