// A ring of bytes in shared memory between the llm worker's main thread, which generates tokens on
// the model's core, and its answer forwarder, a thread on another core that writes what the ring
// holds to the answer pipe (offCoreAnswers.ts). Putting an answer in the ring is a copy: no system
// call and no wake-up of another core from the model's one.

/** Slots of the header, one Int32 each. */
const written = 0
const read = 1
/** Bumped (and notified) to wake the forwarder now. */
const wakes = 2
/** 1 while the forwarder should look on its own every poll interval, not wait to be woken. */
const polling = 3
const headerBytes = 16

/** Bytes the ring holds: thousands of answers, far more than a generation has in flight. */
export const answerRingBytes = 1 << 20

export class AnswerRing {
  readonly buffer: SharedArrayBuffer
  private readonly header: Int32Array
  private readonly data: Uint8Array
  private readonly capacity: number

  constructor(buffer = new SharedArrayBuffer(headerBytes + answerRingBytes)) {
    this.buffer = buffer
    this.header = new Int32Array(buffer, 0, headerBytes / 4)
    this.data = new Uint8Array(buffer, headerBytes)
    this.capacity = this.data.length
  }

  /** Appends `bytes`, waiting (and waking the forwarder) while the ring has no room for them. */
  push(bytes: Uint8Array): void {
    if (bytes.length >= this.capacity) throw new RangeError('an answer larger than the ring')
    const at = Atomics.load(this.header, written)
    for (;;) {
      const taken = Atomics.load(this.header, read)
      // One byte stays free, so that a full ring and an empty one differ.
      const free = (taken - at - 1 + this.capacity) % this.capacity
      if (free >= bytes.length) break
      // Full: the forwarder may be waiting to be woken rather than polling.
      this.wake()
      Atomics.wait(this.header, read, taken, 10)
    }
    const first = Math.min(bytes.length, this.capacity - at)
    this.data.set(bytes.subarray(0, first), at)
    this.data.set(bytes.subarray(first), 0)
    Atomics.store(this.header, written, (at + bytes.length) % this.capacity)
  }

  /** Wakes the forwarder now, for an answer that should not wait for its next look. */
  wake(): void {
    Atomics.add(this.header, wakes, 1)
    Atomics.notify(this.header, wakes)
  }

  /** Whether the forwarder looks every poll interval on its own (during a generation). */
  setPolling(on: boolean): void {
    Atomics.store(this.header, polling, on ? 1 : 0)
    this.wake()
  }

  /** Everything appended since the last take, copied out; undefined when there is nothing. */
  take(): Uint8Array | undefined {
    const from = Atomics.load(this.header, read)
    const to = Atomics.load(this.header, written)
    if (from === to) return undefined
    const bytes =
      from < to
        ? this.data.slice(from, to)
        : Buffer.concat([this.data.subarray(from), this.data.subarray(0, to)])
    Atomics.store(this.header, read, to)
    Atomics.notify(this.header, read)
    return bytes
  }

  /**
   * Waits until there may be something to take: `pollMs` while polling, otherwise until woken.
   * The wake count is read first, so a wake between that and the wait is never missed.
   */
  waitForAnswers(pollMs: number): void {
    const seen = Atomics.load(this.header, wakes)
    if (Atomics.load(this.header, polling) === 1) {
      Atomics.wait(this.header, wakes, seen, pollMs)
      return
    }
    if (Atomics.load(this.header, written) !== Atomics.load(this.header, read)) return
    Atomics.wait(this.header, wakes, seen)
  }
}
