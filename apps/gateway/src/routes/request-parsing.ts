import { chatIdSchema } from '@baton/protocol';
import type { z } from 'zod';
import { invalidRequest } from '../http-errors.ts';

/** A chat id of a route's path, validated: 400 with the reason otherwise. */
export function chatIdParameter(value: string): string {
  const parsed = chatIdSchema.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error.issues[0]?.message ?? 'invalid chat id');
  return parsed.data;
}

/** The first issues of a failed validation, each with the field it concerns, for a 400. */
export function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/**
 * A small JSON body, parsed and validated by `schema`: 400 when it is not JSON or not valid. With
 * `isEmptyAllowed`, an empty body reads as `{}`.
 */
export async function parseJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  options: { isEmptyAllowed?: boolean } = {},
): Promise<z.output<Schema>> {
  const text = await request.text();
  let json: unknown = {};
  if (!(options.isEmptyAllowed && text.trim() === '')) {
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidRequest('request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error.issues));
  return parsed.data;
}
