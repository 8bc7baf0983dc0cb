import { isAbsolute, relative } from 'node:path';
import { styleText } from 'node:util';
import { createLogLineFormatter } from './log-line.ts';
import type { ExitStatus, ManagedProcess } from './process-group.ts';
import { REDIS_PROCESS_NAME } from './redis-launcher.ts';

/** What the banner shows once everything is ready. */
export type BannerInfo = {
  url: string;
  secret: string;
  isSecretGenerated: boolean;
  redisUrl: string;
  isRedisStarted: boolean;
  workerCount: number;
  /** What the workers host, e.g. `demo agents, BATON_MODEL=demo`. */
  agents: string;
  logLevel: string;
};

/** One colour per kind of process, so interleaved output stays readable; plain when piped. */
export function processLabel(name: string): string {
  return styleText(colorOf(name), `[${name}]`, { stream: process.stdout });
}

/** `./agents.ts` rather than an absolute path under the working directory. */
export function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : `./${shown}`;
}

/** A line from the launcher itself. */
export function say(message: string): void {
  console.log(`${processLabel('baton')} ${message}`);
}

/** A launcher line about a failure, on stderr. */
export function sayError(message: string): void {
  console.error(`${styleText('red', '[baton]', { stream: process.stderr })} ${message}`);
}

/** The banner: where the playground is, the secret key, and how to stop. */
export function printBanner(info: BannerInfo): void {
  const bold = (text: string) => styleText('bold', text, { stream: process.stdout });
  const secretNote = info.isSecretGenerated
    ? ' (new each start; set BATON_SECRET to keep one)'
    : '';
  const redisNote = info.isRedisStarted ? ' (started by baton dev; nothing is saved)' : '';
  console.log(
    [
      '',
      `  ${bold('Baton is running:')} ${bold(info.url)}`,
      '',
      `  Playground  ${info.url} (a chat page for every agent; it needs no key)`,
      `  Secret key  ${info.secret}${secretNote}`,
      `  Redis       ${info.redisUrl}${redisNote}`,
      `  Workers     ${info.workerCount} (${info.agents})`,
      `  Logs        ${info.logLevel} and above (LOG_LEVEL)`,
      '',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

/** The last output lines of a process, every level included, for a report on stderr. */
export async function printRecentLines(managed: ManagedProcess, count: number): Promise<void> {
  const lines = (await managed.recentLines()).slice(-count);
  const display = createLogLineFormatter({
    minimumLevel: 'trace',
    isColored: hasColors(process.stderr),
  });
  console.error(`  last output of ${managed.name}:`);
  for (const line of lines) {
    for (const shown of (display(line) ?? line).split('\n')) console.error(`    ${shown}`);
  }
}

/**
 * Whether `stream` is a terminal that shows colours: as `styleText` decides for the labels
 * (`NO_COLOR`, `FORCE_COLOR` and `TERM` included), so a log line and its prefix agree.
 */
export function hasColors(stream: NodeJS.WriteStream): boolean {
  return styleText('red', ' ', { stream }) !== ' ';
}

/** `exit code 1` or `killed by SIGKILL`. */
export function describeExit(status: ExitStatus): string {
  return status.signal === null ? `exit code ${status.code}` : `killed by ${status.signal}`;
}

function colorOf(name: string): 'cyan' | 'magenta' | 'yellow' | 'red' | 'green' {
  if (name === 'gateway') return 'cyan';
  if (name === 'build') return 'yellow';
  if (name === REDIS_PROCESS_NAME) return 'red';
  if (name === 'baton') return 'green';
  return 'magenta';
}
