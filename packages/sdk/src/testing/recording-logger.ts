import type { Logger } from '../logger.ts';

/** One line a {@link recordingLogger} kept: its level, message, and fields with the bindings. */
export type LogEntry = {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string | undefined;
  fields: Record<string, unknown>;
};

/**
 * A logger that keeps what the runtime logs, so a test can read why a turn failed (the
 * client only sees a safe `errorText`; the cause, `fields.err`, is logged).
 */
export function recordingLogger(
  entries: LogEntry[],
  bindings: Record<string, unknown> = {},
): Logger {
  const record =
    (level: LogEntry['level']) =>
    (object: object, message?: string): void => {
      entries.push({ level, message, fields: { ...bindings, ...object } });
    };
  return {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    child: (childBindings) => recordingLogger(entries, { ...bindings, ...childBindings }),
  };
}
