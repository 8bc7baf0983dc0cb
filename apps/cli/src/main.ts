#!/usr/bin/env node
// `baton`: the developer CLI, and the only file of it with side effects at import (STYLE.md).
import { runDevCommand } from './dev-command.ts';

const USAGE = `Usage: baton <command>

Commands:
  dev         Run Redis, the gateway, workers and the web playground on this machine.
              A worker or gateway that dies is restarted with backoff, and the log
              says which chats it held and who took them over. Ctrl-C stops them all.

Settings of baton dev (environment variables):
  PORT=3000             the gateway's port; the playground is at http://localhost:PORT
  HOST=127.0.0.1        the gateway's bind address (0.0.0.0 exposes the keyless playground)
  BATON_WORKERS=2       worker processes
  REDIS_URL             use this Redis instead of starting redis-server
  BATON_REDIS_PORT      the port of the started redis-server (default: a free one)
  BATON_SECRET          the secret key for /v1/* (default: a random one per start)
  BATON_SKIP_BUILD=1    serve the playground as built, without checking for changes
  LOG_LEVEL=warn        the lowest level of gateway and worker log lines shown
  BATON_MODEL=demo      the demo agents' model: demo, or openai:<model> with OPENAI_API_KEY
                        (and OPENAI_BASE_URL); BATON_DEMO_DELAY_MS=20 paces the demo model
  Every other variable passes through to the gateway and workers.

Options:
  -h, --help  Show this help.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const wantsHelp = (argument: string) => argument === '--help' || argument === '-h';
  if (command === undefined) {
    console.error(USAGE);
    return 1;
  }
  if (wantsHelp(command) || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'dev') {
    console.error(`baton: unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  if (rest.some(wantsHelp)) {
    console.log(USAGE);
    return 0;
  }
  if (rest.length > 0) {
    console.error(`baton dev: unexpected argument "${rest.join(' ')}"; it reads its settings from`);
    console.error(`the environment, e.g. PORT=3300 baton dev\n\n${USAGE}`);
    return 1;
  }
  return runDevCommand(process.env);
}

process.exit(await main(process.argv.slice(2)));
