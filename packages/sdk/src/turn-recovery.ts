import type { UIMessage, UIMessageChunk } from 'ai';
import { buildResponseMessage } from './turn-output.ts';

/** What the runtime found of a turn whose run died (docs/architecture.md, "Recovery"). */
export type TurnRecovery = {
  /** 1 for the first recovery of the turn. */
  attempt: number;
  /** Every chunk the dead attempts wrote, in order. */
  chunks: UIMessageChunk[];
};

/** How a recovered turn goes on. */
export type RecoveryPlan =
  /** The answer was complete; only its checkpoint was missing. */
  | { kind: 'settle' }
  /** The recovery budget is spent: end the turn with an error, keep the finished steps. */
  | { kind: 'give-up'; needsReset: boolean }
  /**
   * Continue the turn in the same assistant message: `partial` holds the finished steps (tool
   * calls with their outputs are kept and never run again), the unfinished step is dropped with a
   * `reset-step` when `needsReset`. When the unfinished step had only tool calls left to execute,
   * it is kept instead (`needsReset` false): `pendingToolCalls` run again with their original
   * `toolCallId`, the tools' idempotency key, and the model continues after them.
   */
  | {
      kind: 'continue';
      partial: UIMessage | undefined;
      needsReset: boolean;
      pendingToolCalls: PendingToolCall[];
    };

/** A tool call whose input was complete when its run died, but whose output never came. */
export type PendingToolCall = { toolCallId: string; toolName: string; input: unknown };

/** What `onRecovery` gets: the turn, and what the dead attempts left of the answer. */
export type RecoveryEvent = {
  chatId: string;
  turn: number;
  attempt: number;
  /** The answer's finished steps, which a continuation keeps; undefined if none started. */
  partialMessage: UIMessage | undefined;
  /** What the default policy decided. */
  plan: RecoveryPlan;
};

/** `continue` keeps the default plan; `give-up` ends the turn with an error, keeping finished steps. */
export type RecoveryDecision = { action: 'continue' } | { action: 'give-up' };

/** Settings of `chat.agent({ recovery })`. */
export type RecoveryOptions = {
  /** Recoveries of one turn before it ends with an error. @default 2 */
  maxAttempts?: number;
  /**
   * Overrides the default policy per turn, e.g. to give up on turns whose tools must not run
   * again. Not called for a turn that had finished (it is only checkpointed).
   */
  onRecovery?: (
    event: RecoveryEvent,
  ) => RecoveryDecision | undefined | Promise<RecoveryDecision | undefined>;
};

export const DEFAULT_RECOVERY_ATTEMPTS = 2;

/**
 * The default policy: keep what finished, drop what did not, and continue; past the budget, give
 * up with the finished steps kept.
 */
export async function planRecovery(
  recovery: TurnRecovery,
  options: RecoveryOptions | undefined,
  context: {
    chatId: string;
    turn: number;
    continued: UIMessage | undefined;
    /** Names of the tools the runtime can execute itself (declared with an `execute`). */
    executableTools: ReadonlySet<string>;
  },
): Promise<RecoveryPlan> {
  const plan = await defaultPlan(recovery, options, context);
  if (plan.kind !== 'continue' || !options?.onRecovery) return plan;
  const decision = await options.onRecovery({
    chatId: context.chatId,
    turn: context.turn,
    attempt: recovery.attempt,
    partialMessage: plan.partial,
    plan,
  });
  return decision?.action === 'give-up' ? { kind: 'give-up', needsReset: plan.needsReset } : plan;
}

/** What the chunks of a turn's dead attempts say about where it stopped. */
export type DeadAttempt = {
  /** The answer was whole (a `finish` chunk): only its checkpoint was missing. */
  isFinished: boolean;
  /** The `start` chunk: it carries the assistant message id a continuation keeps. */
  start: UIMessageChunk | undefined;
  /** Index of the last `finish-step`; -1 when no step finished. */
  lastFinishedStep: number;
  /** The chunks after the last finished step: the unfinished step. */
  unfinished: UIMessageChunk[];
  /** The unfinished step wrote something a client holds: a `reset-step` must drop it. */
  needsReset: boolean;
};

/** Reads the dead attempts of a turn (both kinds of agent recover from this). */
export function readDeadAttempt(chunks: readonly UIMessageChunk[]): DeadAttempt {
  const lastFinishedStep = chunks.findLastIndex((chunk) => chunk.type === 'finish-step');
  const unfinished = chunks.slice(lastFinishedStep + 1);
  return {
    isFinished: chunks.some((chunk) => chunk.type === 'finish'),
    start: chunks.find((chunk) => chunk.type === 'start'),
    lastFinishedStep,
    unfinished,
    needsReset: unfinished.some((chunk) => chunk.type !== 'start' && chunk.type !== 'reset-step'),
  };
}

async function defaultPlan(
  recovery: TurnRecovery,
  options: RecoveryOptions | undefined,
  context: { continued: UIMessage | undefined; executableTools: ReadonlySet<string> },
): Promise<RecoveryPlan> {
  const { chunks } = recovery;
  const { isFinished, start, lastFinishedStep, unfinished, needsReset } = readDeadAttempt(chunks);
  if (isFinished) return { kind: 'settle' };
  if (recovery.attempt > (options?.maxAttempts ?? DEFAULT_RECOVERY_ATTEMPTS)) {
    return { kind: 'give-up', needsReset };
  }
  const pendingToolCalls = resumableToolCalls(unfinished, context.executableTools);
  // Keep the unfinished step when only tool executions were missing from it.
  const kept = pendingToolCalls.length > 0 ? chunks : chunks.slice(0, lastFinishedStep + 1);
  // The start chunk carries the message id, which the continuation keeps.
  const withStart = start && !kept.includes(start) ? [start, ...kept] : kept;
  const partial = await buildResponseMessage(withStart, context.continued);
  return {
    kind: 'continue',
    partial,
    needsReset: needsReset && pendingToolCalls.length === 0,
    pendingToolCalls,
  };
}

/**
 * The tool calls of an unfinished step that can be executed again as they are: the step must
 * have nothing else in flight (no text or reasoning part still open, no tool input still
 * streaming), every call without an output must have its full input, and the runtime must know
 * how to execute the tool. Otherwise the whole step is run again.
 */
function resumableToolCalls(
  unfinished: readonly UIMessageChunk[],
  executableTools: ReadonlySet<string>,
): PendingToolCall[] {
  const lastReset = unfinished.findLastIndex((chunk) => chunk.type === 'reset-step');
  const step = unfinished.slice(lastReset + 1);
  const open = new Set<string>();
  const inputs = new Map<string, PendingToolCall>();
  const settled = new Set<string>();
  for (const chunk of step) {
    switch (chunk.type) {
      case 'text-start':
      case 'reasoning-start':
        open.add(`${chunk.type}:${chunk.id}`);
        break;
      case 'text-end':
        open.delete(`text-start:${chunk.id}`);
        break;
      case 'reasoning-end':
        open.delete(`reasoning-start:${chunk.id}`);
        break;
      case 'tool-input-start':
        open.add(`tool:${chunk.toolCallId}`);
        break;
      case 'tool-input-available':
        open.delete(`tool:${chunk.toolCallId}`);
        if (chunk.providerExecuted) return [];
        inputs.set(chunk.toolCallId, {
          toolCallId: chunk.toolCallId,
          toolName: chunk.toolName,
          input: chunk.input,
        });
        break;
      case 'tool-input-error':
      case 'tool-output-available':
      case 'tool-output-error':
      case 'tool-output-denied':
        open.delete(`tool:${chunk.toolCallId}`);
        settled.add(chunk.toolCallId);
        break;
      case 'tool-approval-request':
        return [];
      default:
        break;
    }
  }
  const pending = [...inputs.values()].filter((call) => !settled.has(call.toolCallId));
  if (open.size > 0 || pending.length === 0) return [];
  return pending.every((call) => executableTools.has(call.toolName)) ? pending : [];
}

/**
 * After a `reset-step` the client keeps the dead step's `step-start` as the current step, so the
 * continuation's first `start-step` is dropped: the message ends as an uninterrupted run's would.
 */
export function withoutFirstStepStart(
  stream: ReadableStream<UIMessageChunk>,
): ReadableStream<UIMessageChunk> {
  let isDropped = false;
  return stream.pipeThrough(
    new TransformStream<UIMessageChunk, UIMessageChunk>({
      transform(chunk, controller) {
        if (!isDropped && chunk.type === 'start-step') {
          isDropped = true;
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}
