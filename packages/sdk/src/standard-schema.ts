/**
 * The part of the Standard Schema v1 interface (implemented by zod 4, Valibot, ArkType) that
 * `clientDataSchema` needs, so authors bring the validation library they use.
 */
export type StandardSchema<Output = unknown> = {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
};

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string }> };

export type InferSchemaOutput<Schema> =
  Schema extends StandardSchema<infer Output> ? Output : never;

export class ClientDataValidationError extends Error {
  constructor(issues: ReadonlyArray<{ readonly message: string }>) {
    super(`invalid client data: ${issues.map((issue) => issue.message).join('; ')}`);
    this.name = 'ClientDataValidationError';
  }
}

export async function validateWithSchema<Output>(
  schema: StandardSchema<Output>,
  value: unknown,
): Promise<Output> {
  const result = await schema['~standard'].validate(value);
  if (result.issues) throw new ClientDataValidationError(result.issues);
  return result.value;
}
