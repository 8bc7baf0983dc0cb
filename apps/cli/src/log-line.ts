/** Pino's numeric levels by name; `silent` shows nothing. */
export const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
} as const;

export type LogLevel = keyof typeof LOG_LEVELS;

const LEVEL_LABELS = new Map<number, string>([
  [10, 'TRACE'],
  [20, 'DEBUG'],
  [30, 'INFO'],
  [40, 'WARN'],
  [50, 'ERROR'],
  [60, 'FATAL'],
]);

/** Fields every line of a Baton process carries; the prefix already says which process it is. */
const HIDDEN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'service', 'workerId', 'msg']);

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LOG_LEVELS, value);
}

/**
 * One output line of a gateway or worker as the terminal shows it: a pino JSON line becomes
 * `WARN message {fields}` (with the error's stack below it), or `undefined` when its level is below
 * `minimumLevel`. Anything else (a crash trace, a Node warning) is shown as it is.
 */
export function formatLogLine(line: string, minimumLevel: number): string | undefined {
  const entry = parseLogEntry(line);
  if (entry === undefined) return line;
  if (entry.level < minimumLevel) return undefined;
  const { level, msg, err, ...rest } = entry;
  const stack = stackOf(err);
  const fields = Object.entries(rest).filter(([key]) => !HIDDEN_FIELDS.has(key));
  // A stack goes below the line, and its first line is the error's message already.
  if (err !== undefined && stack === undefined) fields.push(['err', err]);
  const parts = [LEVEL_LABELS.get(level) ?? String(level)];
  if (typeof msg === 'string' && msg !== '') parts.push(msg);
  if (fields.length > 0) parts.push(JSON.stringify(Object.fromEntries(fields)));
  const text = parts.join(' ');
  return stack === undefined ? text : `${text}\n${stack}`;
}

type LogEntry = { level: number; msg?: unknown; err?: unknown; [field: string]: unknown };

function parseLogEntry(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && 'level' in value) {
      return typeof value.level === 'number' ? (value as LogEntry) : undefined;
    }
  } catch {
    // Not JSON after all: shown as it is.
  }
  return undefined;
}

function stackOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('stack' in error)) return undefined;
  return typeof error.stack === 'string' ? error.stack : undefined;
}
