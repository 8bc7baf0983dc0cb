import type { z } from 'zod';

/**
 * Parses a process's environment with its config schema, once, and fails with every problem
 * listed (each app's `config.ts` is the only reader of `process.env`).
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  environment: Record<string, string | undefined>,
  label: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid ${label} configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * One setting of a Baton process as its `--help` and README document it: the environment
 * variable the process reads, and the command-line flag that `baton` maps onto it.
 */
export type ProcessSetting = {
  /** The environment variable, e.g. `PORT`. */
  env: string;
  /** The long flag without dashes, e.g. `port`; `baton` sets `env` from it. */
  flag: string;
  /** The value's placeholder in the help, e.g. `<port>`; absent for an on/off switch. */
  value?: string;
  /** One line for the help, its default included. */
  description: string;
};
