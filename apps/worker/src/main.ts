// The worker process: the only file with side effects (STYLE.md).
import { startWorkerProcess } from './worker-process.ts';

await startWorkerProcess(process.env);
