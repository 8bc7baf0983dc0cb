const INITIAL_CAPACITY_BYTES = 1024;

/**
 * A growable byte array: the kept parts of a request body are gathered here slice by slice,
 * without holding on to the chunks they came from (a chunk's `subarray` keeps the whole chunk).
 */
export class ByteBuffer {
  #bytes = new Uint8Array(INITIAL_CAPACITY_BYTES);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends `source[start, end)`. */
  append(source: Uint8Array, start = 0, end = source.length): void {
    const count = end - start;
    if (count <= 0) return;
    this.#reserve(this.#length + count);
    this.#bytes.set(source.subarray(start, end), this.#length);
    this.#length += count;
  }

  /** Forgets the content; keeps the capacity for the next message of the same request. */
  clear(): void {
    this.#length = 0;
  }

  /** A view of `[start, end)` of the content, valid until the next append or clear. */
  view(start = 0, end = this.#length): Uint8Array {
    return this.#bytes.subarray(start, end);
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(capacity, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}
