import { currentChatContext, findChatContext } from './chat-context.ts';

/**
 * The `chat.local` values of one run of a chat: restored from the checkpoint when the run starts
 * (after a suspend, on another worker, after a crash) and checkpointed with each turn.
 */
export class LocalStore {
  readonly #values = new Map<string, Record<string, unknown>>();
  /** Locals set since their last `hasChanged()`. */
  readonly #changedSinceCheck = new Set<string>();
  #isDirty = false;

  constructor(restored: Record<string, unknown> = {}) {
    for (const [id, value] of Object.entries(restored)) {
      if (typeof value === 'object' && value !== null) {
        this.#values.set(id, value as Record<string, unknown>);
      }
    }
  }

  /** Whether a local changed since the last checkpoint took them. */
  get isDirty(): boolean {
    return this.#isDirty;
  }

  has(id: string): boolean {
    return this.#values.has(id);
  }

  value(id: string): Record<string, unknown> | undefined {
    return this.#values.get(id);
  }

  set(id: string, value: Record<string, unknown>): void {
    this.#values.set(id, value);
    this.#markChanged(id);
  }

  setProperty(id: string, property: string, value: unknown): void {
    const current = this.#values.get(id);
    if (!current) throw notInitialized(id);
    current[property] = value;
    this.#markChanged(id);
  }

  /** Whether `id` was set since the previous call for it (Trigger.dev's `hasChanged`). */
  takeChanged(id: string): boolean {
    return this.#changedSinceCheck.delete(id);
  }

  /** Plain copies of every value; the store stays as it is. */
  values(): Record<string, unknown> {
    return Object.fromEntries([...this.#values].map(([id, value]) => [id, structuredClone(value)]));
  }

  /** Plain copies of every value, for the checkpoint; the store is clean afterwards. */
  snapshot(): Record<string, unknown> {
    this.#isDirty = false;
    return Object.fromEntries([...this.#values].map(([id, value]) => [id, structuredClone(value)]));
  }

  #markChanged(id: string): void {
    this.#changedSinceCheck.add(id);
    this.#isDirty = true;
  }
}

/** The methods of a `chat.local`; its other properties are the value's own. */
export type ChatLocalMethods<T> = {
  /** Sets the value for this run of the chat (and the runs that resume it). */
  init(value: T): void;
  /** A plain copy of the value (for serialization). */
  get(): T;
  /** Whether a property was set since the last call; resets the flag. */
  hasChanged(): boolean;
};

export type ChatLocal<T> = T & ChatLocalMethods<T>;

const declaredIds = new Set<string>();

/**
 * Typed state of a chat's run (Trigger.dev's `chat.local<T>({ id })`), declared once at module
 * level and read and written like an object from anywhere in the run: hooks, `run`, tools.
 * `init` it in a hook (`onChatStart`, `onPreload`); set properties directly
 * (`userContext.messageCount++`). Shallow: replace a nested object to mark it changed.
 *
 * On Baton a local lives as long as the chat, not one process: its value is checkpointed with
 * each turn and restored on whichever worker resumes the chat, after an idle suspend or a crash,
 * so values must be JSON. Reading a local that was never initialized throws.
 *
 * @example
 * ```ts
 * const userContext = chat.local<{ name: string; messageCount: number }>({ id: 'userContext' });
 * ```
 */
export function local<T extends object>(options: { id: string }): ChatLocal<T> {
  const { id } = options;
  if (declaredIds.has(id)) {
    throw new Error(`chat.local "${id}" is declared twice: each local needs a unique id`);
  }
  declaredIds.add(id);
  const store = (what: string) => currentChatContext(`chat.local "${id}".${what}`).locals;
  const methods: ChatLocalMethods<T> = {
    init(value) {
      store('init').set(id, { ...(value as Record<string, unknown>) });
    },
    get() {
      const value = store('get').value(id);
      if (!value) throw notInitialized(id);
      return structuredClone(value) as T;
    },
    hasChanged() {
      return store('hasChanged').takeChanged(id);
    },
  };
  return new Proxy(methods, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || property in target) {
        return Reflect.get(target, property, receiver);
      }
      const value = store(property).value(id);
      if (!value) throw notInitialized(id);
      return value[property];
    },
    set(_target, property, value) {
      if (typeof property === 'symbol') return false;
      store(property).setProperty(id, property, value);
      return true;
    },
    has(target, property) {
      if (property in target) return true;
      const value = findChatContext()?.locals.value(id);
      return value !== undefined && property in value;
    },
  }) as ChatLocal<T>;
}

function notInitialized(id: string): Error {
  return new Error(`chat.local "${id}" was read before init(): call init() in a hook or in run`);
}
