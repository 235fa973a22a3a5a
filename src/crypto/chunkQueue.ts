/**
 * Bytes of a stream held back until a whole chunk is known, as references to the pieces that
 * arrived (never copied). A chunk is taken only once more bytes follow it, because only the end of
 * the stream tells which chunk is the last one, and the last one is sealed differently.
 */
export class ChunkQueue {
  #pieces: Uint8Array[] = []
  #length = 0

  /** How many bytes are held. */
  get length(): number {
    return this.#length
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.#pieces.push(bytes)
    this.#length += bytes.length
  }

  /** The next `size` bytes, if more than `size` are held (so they are not the end of the stream). */
  takeIfFollowed(size: number): Uint8Array[] | undefined {
    return this.#length > size ? this.take(size) : undefined
  }

  /** The next `size` bytes (at most what is held), as consecutive pieces. */
  take(size: number): Uint8Array[] {
    const taken: Uint8Array[] = []
    let wanted = Math.min(size, this.#length)
    this.#length -= wanted
    while (wanted > 0) {
      const piece = this.#pieces.shift() as Uint8Array
      if (piece.length > wanted) {
        taken.push(piece.subarray(0, wanted))
        this.#pieces.unshift(piece.subarray(wanted))
        break
      }
      taken.push(piece)
      wanted -= piece.length
    }
    return taken
  }

  /** Everything held. */
  takeAll(): Uint8Array[] {
    return this.take(this.#length)
  }
}

/** Splits the last `length` bytes off consecutive pieces: `[head pieces, tail as one buffer]`. */
export function splitTail(pieces: Uint8Array[], length: number): [Uint8Array[], Uint8Array] {
  const tail = new Uint8Array(length)
  const head = pieces.slice()
  let missing = length
  while (missing > 0) {
    const piece = head.pop() as Uint8Array
    const used = Math.min(missing, piece.length)
    tail.set(piece.subarray(piece.length - used), missing - used)
    if (used < piece.length) head.push(piece.subarray(0, piece.length - used))
    missing -= used
  }
  return [head, tail]
}
