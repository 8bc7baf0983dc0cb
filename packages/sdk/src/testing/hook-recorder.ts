import type { ToolSet } from 'ai';
import type { ChatAgentOptions } from '../chat-agent-options.ts';
import type { StandardSchema } from '../standard-schema.ts';

/** One call of an agent's hook (or `run`): its name and the event it got. */
export type HookCall = { hook: string; event: unknown };

/** Hooks whose presence changes nothing but what they do: recorded even when not written. */
const OBSERVING_HOOKS = [
  'onChatStart',
  'onTurnStart',
  'onBeforeTurnComplete',
  'onTurnComplete',
  'onChatSuspend',
  'onChatResume',
] as const;

const isHookName = (key: string) =>
  key === 'run' || key === 'hydrateMessages' || key === 'prepareMessages' || /^on[A-Z]/.test(key);

/**
 * Records the hooks of a `chat.agent` as they fire, in order, so a test asserts the order and the
 * events without a `push` in every hook. `record` wraps every hook and `run` of the options (the
 * author's hooks still run and their results count), and adds recording no-ops for the observing
 * hooks the options lack (`onChatStart`, `onTurnStart`, `onBeforeTurnComplete`, `onTurnComplete`,
 * `onChatSuspend`, `onChatResume`); hooks that transform (`onValidateMessages`, `hydrateMessages`,
 * `prepareMessages`) are recorded only when written, as their presence changes the turn.
 *
 * Baton's addition: Trigger.dev's testing page pushes to an array from each hook by hand.
 *
 * @example
 * ```ts
 * const hooks = new HookRecorder();
 * const agent = chat.agent(hooks.record({ id: 'a', run: ({ messages }) => streamText({ model, messages }) }));
 * await mockChatAgent(agent).sendMessage('hi');
 * expect(hooks.names).toEqual(['onChatStart', 'onTurnStart', 'run', 'onBeforeTurnComplete', 'onTurnComplete']);
 * ```
 */
export class HookRecorder {
  readonly calls: HookCall[] = [];

  /** The names of the hooks called so far, in order. */
  get names(): string[] {
    return this.calls.map((call) => call.hook);
  }

  /** The events a hook got, in order. */
  eventsOf(hook: string): unknown[] {
    return this.calls.filter((call) => call.hook === hook).map((call) => call.event);
  }

  /** The agent options with every hook recorded. */
  record<Schema extends StandardSchema | undefined = undefined, Tools extends ToolSet = ToolSet>(
    options: ChatAgentOptions<Schema, Tools>,
  ): ChatAgentOptions<Schema, Tools> {
    const recorded: Record<string, unknown> = { ...options };
    for (const hook of OBSERVING_HOOKS) recorded[hook] ??= () => undefined;
    for (const [key, value] of Object.entries(recorded)) {
      if (!isHookName(key) || typeof value !== 'function') continue;
      recorded[key] = (event: unknown, ...rest: unknown[]) => {
        this.calls.push({ hook: key, event });
        return value(event, ...rest);
      };
    }
    return recorded as ChatAgentOptions<Schema, Tools>;
  }
}
