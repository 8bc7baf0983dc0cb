import type { ToolSet } from 'ai';
import type { AgentDefinition } from './agent-definition.ts';
import { chatAgent } from './chat-agent.ts';
import type { ChatAgentHooks } from './chat-agent-hooks.ts';
import type { ChatAgentOptions, ClientDataOf } from './chat-agent-options.ts';
import type {
  ClientDataErrorReporting,
  ClientDataValidationErrorHandler,
} from './custom-agent/client-data-validation.ts';
import {
  type BuilderClientDataOptions,
  type CustomAgentOptions,
  customAgent,
} from './custom-agent/custom-agent.ts';
import type { StandardSchema } from './standard-schema.ts';

/** The hooks a builder may carry (Trigger.dev's builder-level hooks that Baton has). */
const BUILDER_HOOKS = [
  'onPreload',
  'onChatStart',
  'onTurnStart',
  'onBeforeTurnComplete',
  'onTurnComplete',
  'onChatSuspend',
  'onChatResume',
] as const;

type BuilderHookName = (typeof BUILDER_HOOKS)[number];
type Hook<ClientData, Name extends BuilderHookName> = NonNullable<ChatAgentHooks<ClientData>[Name]>;

/**
 * Trigger.dev's `ChatBuilder`: fixes the client data schema, so that every hook and `run` of the
 * agent get typed `clientData` without `clientDataSchema`, and carries hooks shared by the agents
 * built from it. A builder hook runs before the agent's own hook of the same name.
 */
export type ChatBuilder<Schema extends StandardSchema> = {
  agent<Tools extends ToolSet = ToolSet>(
    options: Omit<ChatAgentOptions<Schema, Tools>, 'clientDataSchema'>,
  ): AgentDefinition;
  /**
   * A custom agent whose messages' client data (`payload.metadata`) is validated with the schema
   * and typed by it: an invalid message is answered with an `Invalid client data` error and never
   * reaches `run`; the builder's `onValidationError`, then `onClientDataValidationError`, are told.
   * The builder's hooks do not apply (a custom agent has none).
   */
  customAgent(options: Omit<CustomAgentOptions<Schema>, 'clientDataSchema'>): AgentDefinition;
} & {
  [Name in BuilderHookName]: (hook: Hook<ClientDataOf<Schema>, Name>) => ChatBuilder<Schema>;
};

type HookChains = { [Name in BuilderHookName]: Array<(event: never) => unknown> };

/** `chat.withClientData`'s options (Trigger.dev 4.5.16). */
export type WithClientDataOptions<Schema extends StandardSchema> = {
  schema: Schema;
  /**
   * When the error of an invalid steering frame is reported (custom agents). Accepted; no effect
   * on Baton, which has no steering frames yet: a message is validated when its turn opens.
   */
  reportErrorAt?: ClientDataErrorReporting;
  /**
   * Called when a message's client data fails the schema, in a custom agent built from this
   * builder, before the agent's `onClientDataValidationError`. (A `chat.agent` fails the turn.)
   */
  onValidationError?: ClientDataValidationErrorHandler;
};

/**
 * `chat.withClientData({ schema, reportErrorAt?, onValidationError? })`.
 *
 * @example
 * ```ts
 * export const support = chat
 *   .withClientData({ schema: z.object({ userId: z.string() }) })
 *   .onTurnComplete(({ clientData }) => audit(clientData.userId))
 *   .agent({ id: 'support', run: ({ messages, clientData }) => ... });
 * ```
 */
export function withClientData<Schema extends StandardSchema>(
  config: WithClientDataOptions<Schema>,
): ChatBuilder<Schema> {
  const empty = Object.fromEntries(
    BUILDER_HOOKS.map((name) => [name, []]),
  ) as unknown as HookChains;
  const custom: BuilderClientDataOptions = config.onValidationError
    ? { onValidationError: config.onValidationError }
    : {};
  return createBuilder(config.schema, empty, custom);
}

function createBuilder<Schema extends StandardSchema>(
  schema: Schema,
  chains: HookChains,
  custom: BuilderClientDataOptions,
): ChatBuilder<Schema> {
  const hookSetters = Object.fromEntries(
    BUILDER_HOOKS.map((name) => [
      name,
      (hook: (event: never) => unknown) =>
        createBuilder(schema, { ...chains, [name]: [...chains[name], hook] }, custom),
    ]),
  );
  return {
    ...hookSetters,
    agent: <Tools extends ToolSet>(
      options: Omit<ChatAgentOptions<Schema, Tools>, 'clientDataSchema'>,
    ) => {
      const composed = Object.fromEntries(
        BUILDER_HOOKS.map((name) => [name, compose([...chains[name], options[name]])]),
      );
      return chatAgent<Schema, Tools>({ ...options, ...composed, clientDataSchema: schema });
    },
    customAgent: (options: Omit<CustomAgentOptions<Schema>, 'clientDataSchema'>) =>
      customAgent<Schema>({ ...options, clientDataSchema: schema }, custom),
  } as ChatBuilder<Schema>;
}

/** The hooks in order, as one; undefined when there are none. */
function compose(
  hooks: ReadonlyArray<((event: never) => unknown) | undefined>,
): ((event: never) => Promise<void>) | undefined {
  const present = hooks.filter((hook) => hook !== undefined);
  if (present.length === 0) return undefined;
  return async (event) => {
    for (const hook of present) await hook(event);
  };
}
