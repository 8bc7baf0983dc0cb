export { loadWorkerConfig, WORKER_SETTINGS, type WorkerConfig } from './config.ts';
export { loadAgents } from './load-agents.ts';
export { WorkerHost, type WorkerState } from './worker-host.ts';
export { startWorkerProcess } from './worker-process.ts';
