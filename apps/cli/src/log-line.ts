import { type PrettyOptions, prettyFactory } from 'pino-pretty';

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

/** Fields every line of a Baton process carries; the prefix already says which process it is. */
const HIDDEN_FIELDS = 'time,pid,hostname,service,workerId';

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LOG_LEVELS, value);
}

/** Options of {@link createLogLineFormatter}. */
export type LogLineFormatterOptions = {
  /** Pino lines below this level are hidden; `silent` hides them all. */
  minimumLevel: LogLevel;
  /** ANSI colours, for a terminal that shows them (never when the output is piped). */
  isColored: boolean;
};

/**
 * What the terminal shows of one output line of a gateway or worker, by pino-pretty: a pino JSON
 * line becomes `WARN: message {fields}` (an error below it, with its stack), or `undefined` when its
 * level is below the minimum. Anything else (a crash trace, a Node warning) is shown as it is.
 *
 * @example
 * ```ts
 * const display = createLogLineFormatter({ minimumLevel: 'info', isColored: false });
 * display('{"level":40,"msg":"slow","chatId":"c"}'); // 'WARN: slow {"chatId":"c"}'
 * ```
 */
export function createLogLineFormatter(
  options: LogLineFormatterOptions,
): (line: string) => string | undefined {
  const pretty: (line: string) => string | undefined = prettyFactory({
    colorize: options.isColored,
    ignore: HIDDEN_FIELDS,
    singleLine: true,
    // pino-pretty knows pino's levels but `silent` (pino's "above every level"): declared here. Its
    // type of `minimumLevel` leaves out the names of custom levels, which it accepts.
    customLevels: { silent: LOG_LEVELS.silent },
    useOnlyCustomProps: false,
    minimumLevel: options.minimumLevel as PrettyOptions['minimumLevel'],
  });
  return (line) => {
    const shown = pretty(line);
    // The caller writes its own line ends (and a prefix before each line).
    return shown?.endsWith('\n') ? shown.slice(0, -1) : shown;
  };
}
