import type { ModelMessage, UIMessage } from 'ai';
import type { Awaitable } from './chat-agent-hooks.ts';
import type { Logger } from './logger.ts';
import type { StandardSchema } from './standard-schema.ts';

const TURN_REQUEST = Symbol.for('baton.chatTurnRequest');

/** What `chat.turn(message?)` returns: `onAction` asks for a real turn after the action. */
export type ChatTurnRequest = {
  readonly [TURN_REQUEST]: true;
  /** Appended as a user message before the turn, if given. */
  readonly message: UIMessage | undefined;
};

/** `onAction`'s event (Trigger.dev's): the validated action and the chat as it stands. */
export type ActionEvent<ClientData, Action> = {
  action: Action;
  chatId: string;
  /** The number the next turn gets; an action alone does not advance it. */
  turn: number;
  clientData: ClientData;
  uiMessages: UIMessage[];
  messages: ModelMessage[];
};

/** The options of `chat.agent` that custom actions take. */
export type ChatActionOptions<ClientData, ActionSchema extends StandardSchema | undefined> = {
  /** Validates the body's `action` before `onAction` gets it; an invalid one ends with an error. */
  actionSchema?: ActionSchema;
  /**
   * Handles a custom action (a request whose body carries `action`, e.g. the stock client's
   * `regenerate({ body: { action } })`): not a turn. Edit the history with `chat.history`, and
   * return `chat.turn(message?)` to answer with a real turn (trigger `action-turn`), or nothing.
   */
  onAction?: (
    event: ActionEvent<ClientData, ActionOf<ActionSchema>>,
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is the common case.
  ) => Awaitable<ChatTurnRequest | undefined | void>;
};

export type ActionOf<Schema> = Schema extends StandardSchema<infer Output> ? Output : unknown;

let idCounter = 0;

/**
 * `chat.turn(message?)`, returned from `onAction` (Trigger.dev 4.6): the action's edits are kept,
 * then a real turn runs with trigger `action-turn` (`onTurnStart`, `run`, `onBeforeTurnComplete`,
 * `onTurnComplete`; the turn counter advances). A `message` (text or a UI message) is appended
 * as a user message first.
 */
export function turn(message?: string | UIMessage): ChatTurnRequest {
  const asMessage: UIMessage | undefined =
    typeof message === 'string'
      ? {
          id: `action-${Date.now().toString(36)}-${(++idCounter).toString(36)}`,
          role: 'user',
          parts: [{ type: 'text', text: message }],
        }
      : message;
  return { [TURN_REQUEST]: true, message: asMessage };
}

function isTurnRequest(value: unknown): value is ChatTurnRequest {
  return typeof value === 'object' && value !== null && TURN_REQUEST in value;
}

let hasWarnedNoOnAction = false;

/**
 * Runs `onAction` for an action: resolves the turn it asks for, or undefined (no turn). An agent
 * without `onAction` ignores actions (warned once), as Trigger.dev's does; a return other than
 * `chat.turn()` or nothing is an error, as since Trigger.dev 4.6.
 */
export async function decideAction<ClientData>(
  options: ChatActionOptions<ClientData, StandardSchema | undefined>,
  event: ActionEvent<ClientData, unknown>,
  logger: Logger,
): Promise<ChatTurnRequest | undefined> {
  if (!options.onAction) {
    if (!hasWarnedNoOnAction) {
      hasWarnedNoOnAction = true;
      logger.warn({}, 'an action reached an agent without onAction: ignored');
    }
    return undefined;
  }
  const action = options.actionSchema
    ? await validateAction(options.actionSchema, event.action)
    : event.action;
  const result = await options.onAction({ ...event, action });
  if (result === undefined || result === null) return undefined;
  if (!isTurnRequest(result)) {
    throw new TypeError('onAction may return only chat.turn(...) or nothing (Trigger.dev 4.6)');
  }
  return result;
}

/** An action its `actionSchema` rejects: the request ends with an error, nothing changes. */
export class ActionValidationError extends Error {
  constructor(issues: ReadonlyArray<{ readonly message: string }>) {
    super(`invalid action: ${issues.map((issue) => issue.message).join('; ')}`);
    this.name = 'ActionValidationError';
  }
}

async function validateAction(schema: StandardSchema, value: unknown): Promise<unknown> {
  const result = await schema['~standard'].validate(value);
  if (result.issues) throw new ActionValidationError(result.issues);
  return result.value;
}
