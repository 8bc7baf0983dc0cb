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
