import { readFileSync } from 'node:fs';
import { GATEWAY_SETTINGS } from '@baton/gateway/config';
import type { ProcessSetting } from '@baton/protocol';
import { WORKER_SETTINGS } from '@baton/worker/config';
import { Command } from 'commander';
import { DEV_SETTINGS } from './cli-config.ts';
import { runDevCommand } from './dev-command.ts';
import { defaultProbeUrl, runHealthcheck } from './healthcheck-command.ts';
import { addSettingOptions, settingsEnvironment, withFlags } from './setting-options.ts';

const DEV_NOTES = `
Every other variable passes through to the gateway and the workers (see baton gateway --help and
baton worker --help). The demo agents read BATON_MODEL: demo (offline, the default), or
openai:<model> with OPENAI_API_KEY (and OPENAI_BASE_URL); BATON_DEMO_DELAY_MS=20 paces the demo
model.

A worker or gateway that dies is restarted with backoff, and the log says which chats it held and
which worker took them over. Ctrl-C stops everything; a second Ctrl-C kills at once.

Examples:
  $ baton dev                                 the demo agents, Redis started for you
  $ baton dev --agents ./agents.ts --port 3300
  $ REDIS_URL=redis://127.0.0.1:6379 baton dev --agents ./agents.ts --workers 3`;

const GATEWAY_NOTES = `
Every setting is a flag or its variable (a flag wins). GET /healthz answers while the process
lives; GET /readyz once Redis answers. SIGTERM ends open streams (clients resume elsewhere) and
exits.

Example:
  $ BATON_SECRET=... REDIS_URL=redis://redis:6379 baton gateway --port 3000`;

const WORKER_NOTES = `
Every setting is a flag or its variable (a flag wins). Agent modules are imported as Node imports
them: .ts files need Node 22.18 or newer (type stripping) and erasable syntax only. SIGTERM drains:
running turns finish within the drain timeout, then every chat is released for another worker.

Example:
  $ REDIS_URL=redis://redis:6379 baton worker --agents ./agents.ts`;

/**
 * The `baton` command line: `dev` (the whole system on this machine), `gateway` and `worker` (one
 * process each, as deployed). Each setting is a flag and an environment variable; the processes
 * read only the environment, which the flags are written into ({@link settingsEnvironment}).
 */
export function createProgram(environment: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('baton')
    .description('Durable AI chat on a Redis Streams-backed pool of stateless workers.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(add --help for usage)');

  const dev = addSettingOptions(
    program
      .command('dev')
      .description('run Redis, the gateway, workers and the playground on this machine'),
    DEV_SETTINGS,
  )
    .addHelpText('after', DEV_NOTES)
    .action(async (_options, command: Command) => {
      process.exit(await runDevCommand(settingsEnvironment(command, DEV_SETTINGS, environment)));
    });

  const gateway = processCommand(program, {
    name: 'gateway',
    description: 'run one gateway: HTTP in, Redis streams out',
    settings: GATEWAY_SETTINGS,
    notes: GATEWAY_NOTES,
    start: async (env) => (await import('@baton/gateway')).startGatewayProcess(env),
    environment,
  });
  const worker = processCommand(program, {
    name: 'worker',
    description: 'run one worker: hosts agent modules and runs chats',
    settings: WORKER_SETTINGS,
    notes: WORKER_NOTES,
    start: async (env) => (await import('@baton/worker')).startWorkerProcess(env),
    environment,
  });

  program
    .command('healthcheck')
    .description("exit 0 when this host's gateway or worker is ready (a container HEALTHCHECK)")
    .argument('[url]', 'the probe (default: /readyz on BATON_HEALTH_PORT, else PORT, else 3000)')
    .action(async (url: string | undefined) => {
      process.exit(await runHealthcheck(url ?? defaultProbeUrl(environment)));
    });

  for (const command of [dev, gateway, worker]) command.helpOption('-h, --help', 'show this help');
  return program;
}

/**
 * `baton gateway` or `baton worker`: one process as deployed, its settings the flags and variables
 * of `settings`. A process that cannot start (a bad setting, a port in use) says why in one line,
 * naming the flag, and exits 1.
 */
function processCommand(
  program: Command,
  options: {
    name: string;
    description: string;
    settings: readonly ProcessSetting[];
    notes: string;
    start: (environment: NodeJS.ProcessEnv) => Promise<void>;
    environment: NodeJS.ProcessEnv;
  },
): Command {
  const { name, settings } = options;
  return addSettingOptions(program.command(name).description(options.description), settings)
    .addHelpText('after', options.notes)
    .action(async (_options, command: Command) => {
      try {
        await options.start(settingsEnvironment(command, settings, options.environment));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`baton ${name}: ${withFlags(message, settings)}`);
        process.exit(1);
      }
    });
}

/** The version of `@baton/cli`: `../package.json` from both `src/` and `dist/`. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return String(manifest.version);
}
