/**
 * Coalescing of output chunks (PTY reads are about 4 KiB, pipe reads 64 KiB) into batches that
 * become one 'o' event each: the per-event costs (a message to the worker, a hash, a line) are
 * then paid per 256 KiB at most rather than per chunk.
 *
 * Timing stays faithful: a chunk arriving more than COALESCE_MS after a batch's first chunk starts
 * a new batch, a timer sends a batch COALESCE_MS after it started, and the writer sends the batch
 * before any marker, resize, note, checkpoint or seal. A coalesced event carries the time of its
 * first chunk, so no output is shown earlier than it happened by more than COALESCE_MS.
 */
import type { RecordingWorker } from './host.js';

/** Longest time output waits in a batch; below what a viewer can tell apart in a replay. */
export const COALESCE_MS = 20;

export class OutputBatch {
  #buf: Buffer | undefined;
  #len = 0;
  /** Clock time (ms) and event time (s) of the batch's first chunk. */
  #at = 0;
  #t = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: RecordingWorker,
    /** Hands a batch over; `data` is a view of a buffer that may be transferred. */
    private readonly send: (t: number, data: Uint8Array) => void,
  ) {}

  /**
   * Adds a chunk seen at clock time `now`; `offset(now)` gives its event time if it opens a batch.
   * A chunk larger than what is left is spread over batches, so buffers (and the worker's scratch
   * space) stay at BATCH_BYTES however large one write is.
   */
  add(bytes: Uint8Array, now: number, offset: (now: number) => number): void {
    if (this.#buf !== undefined && now - this.#at > COALESCE_MS) this.flush();
    for (let off = 0; off < bytes.length; ) {
      const buf = this.#buf ?? this.#open(now, offset);
      const n = Math.min(bytes.length - off, buf.length - this.#len);
      buf.set(n === bytes.length ? bytes : bytes.subarray(off, off + n), this.#len);
      this.#len += n;
      off += n;
      if (this.#len >= buf.length) this.flush();
    }
  }

  #open(now: number, offset: (now: number) => number): Buffer {
    const buf = this.host.batch();
    this.#buf = buf;
    this.#len = 0;
    this.#at = now;
    this.#t = offset(now);
    this.#timer = setTimeout(() => this.flush(), COALESCE_MS);
    this.#timer.unref();
    return buf;
  }

  flush(): void {
    const buf = this.#buf;
    if (buf === undefined) return;
    clearTimeout(this.#timer);
    this.#buf = undefined;
    this.send(this.#t, buf.subarray(0, this.#len));
  }

  /** Forgets what is batched (the recording failed). */
  drop(): void {
    clearTimeout(this.#timer);
    this.#buf = undefined;
  }
}
