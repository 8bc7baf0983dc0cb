import { currentChatRun } from '../chat-context.ts';

/**
 * Hands the chat to a fresh run between turns (Trigger.dev 4.5.16's `chat.endAndContinue`, for
 * custom agents). The turn still open, if any, is completed first (as `chat.writeTurnComplete`),
 * what changed since is checkpointed, and this run lets go of the chat: when a message already
 * waits the chat goes back to the pool at once and any worker answers it in a new run; otherwise
 * the chat suspends and the next message starts the new run. That run starts from the checkpoint
 * and its payload has `continuation: true`. Await it, then return from `run`: this run takes no
 * more messages (`chat.messages` waits resolve `{ ok: false }`) and writes nothing more. Rejects
 * when the run lost the chat before it could let go, or after `chat.close`.
 *
 * Compared with `chat.endRun()`, which ends the run at its next wait and resumes the chat as if
 * the run had never stopped (`continuation: false`), this acts at once and marks the next run a
 * continuation: the loop re-initializes as after a crash (docs/agents/custom-agents.md).
 *
 * @example
 * ```ts
 * await chat.writeTurnComplete();
 * await chat.endAndContinue();
 * return;
 * ```
 */
export async function endAndContinue(): Promise<void> {
  await currentChatRun('chat.endAndContinue').endAndContinue();
}
