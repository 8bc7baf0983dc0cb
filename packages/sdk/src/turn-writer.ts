import type { UIMessageChunk } from 'ai';
import type { TurnChannel } from './agent-session.ts';
import type { ChatWriter } from './chat-agent-hooks.ts';
import type { TurnScope } from './chat-context.ts';
import { OutputGate } from './chat-defer.ts';
import type { Logger } from './logger.ts';
import { generateMessageId } from './to-chunk-stream.ts';
import { orderAfterStart, pipeChunks } from './turn-output.ts';

/**
 * The output of one `chat.agent` turn: every chunk of its answer goes to the channel and to
 * `chunks` (what the response message is rebuilt from), in the order a client sees them.
 * `chat.deferBeforeOutput` holds the channel back (the answer accumulates regardless); chunks
 * written before the answer's `start` follow it (`orderAfterStart`); `chat.stream` chunks reach
 * the channel only.
 */
export class TurnWriter {
  /** Every chunk of the turn's answer, a dead attempt's included. */
  readonly chunks: UIMessageChunk[];
  readonly gate: OutputGate;
  /** The hooks' `writer`. */
  readonly writer: ChatWriter;
  /** What `chat.response`, `chat.stream` and `chat.deferBeforeOutput` reach. */
  readonly scope: TurnScope;
  readonly #response: ReturnType<typeof orderAfterStart>;

  constructor(channel: TurnChannel, recoveredChunks: readonly UIMessageChunk[], logger: Logger) {
    this.chunks = [...recoveredChunks];
    this.gate = new OutputGate((chunk) => channel.write(chunk), logger);
    this.#response = orderAfterStart(
      (chunk) => {
        this.chunks.push(chunk);
        this.gate.write(chunk);
      },
      { hasStarted: this.chunks.some((chunk) => chunk.type === 'start'), generateMessageId },
    );
    const write = (chunk: UIMessageChunk) => this.write(chunk);
    this.writer = { write, merge: (stream) => pipeChunks(stream, write, channel.stopSignal) };
    this.scope = {
      write,
      writeEphemeral: (chunk) => this.gate.write(chunk),
      gate: this.gate,
      stopSignal: channel.stopSignal,
    };
  }

  /** A chunk of the answer. */
  write(chunk: UIMessageChunk): void {
    this.#response.write(chunk);
  }

  /** Lets out what waits for an answer that never started (an error, data parts). */
  endAnswer(): void {
    this.#response.end();
  }

  /** The turn ends: once the held work settled, whatever is held goes out. */
  async flush(): Promise<void> {
    this.#response.end();
    await this.gate.drain();
  }
}
