import { LeaseLostError } from '@baton/protocol';

/**
 * A holder's right to write a chat: its lease epoch, and the sequence of its writes. Each fenced
 * script call takes the next sequence number, and Redis keeps the last one applied, so a call that
 * a client re-sends after a lost reply (ioredis does, on reconnect) is applied once. Writes of one
 * holder are issued one after the other, which keeps the sequence in order.
 */
export class WriteFence {
  readonly chatId: string;
  readonly epoch: number;
  #writeSeq = 0;
  #isRevoked = false;

  /** A new claim starts the sequence anew (claim-session.lua resets it). */
  constructor(chatId: string, epoch: number) {
    this.chatId = chatId;
    this.epoch = epoch;
  }

  /**
   * The sequence number of the next write. Throws `LeaseLostError` once revoked: the write is
   * never sent.
   */
  next(): number {
    if (this.#isRevoked) throw new LeaseLostError(this.chatId, this.epoch);
    this.#writeSeq += 1;
    return this.#writeSeq;
  }

  /**
   * Refuses every later write of this holder, before it reaches Redis. A run that gave its lease
   * up locally (its deadline passed, Redis out of reach) or was cancelled must not write when
   * Redis answers again: until another worker claims the chat, the epoch in Redis would still let
   * it, and its abandoned turn's `error` and `turn-complete` would end a turn that the next holder
   * should recover.
   */
  revoke(): void {
    this.#isRevoked = true;
  }
}
