// The gateway process: the only file with side effects (STYLE.md).
import { startGatewayProcess } from './gateway-process.ts';

await startGatewayProcess(process.env);
