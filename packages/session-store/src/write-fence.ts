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

  /** A new claim starts the sequence anew (claim-session.lua resets it). */
  constructor(chatId: string, epoch: number) {
    this.chatId = chatId;
    this.epoch = epoch;
  }

  /** The sequence number of the next write. */
  next(): number {
    this.#writeSeq += 1;
    return this.#writeSeq;
  }
}
