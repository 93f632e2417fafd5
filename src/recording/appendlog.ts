/**
 * The single append path of a recording file: buffers queued in order, written with writev by one
 * pump at a time, with byte counters so callers can wait for "everything queued so far is on the
 * file" before fdatasync. Knows nothing of records; errors go to the owner, once.
 */
import type { FileHandle } from 'node:fs/promises';

const MAX_IOV = 256;

export class AppendLog {
  /** Bytes queued or being written. */
  queued = 0;
  enqueued = 0;
  written = 0;
  #queue: Buffer[] = [];
  #writing = false;
  #dead = false;
  #waiters: { target: number; resolve: () => void }[] = [];

  constructor(
    private readonly fh: FileHandle,
    private readonly onWritten: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(buf: Buffer): void {
    if (this.#dead) return;
    this.#queue.push(buf);
    this.queued += buf.length;
    this.enqueued += buf.length;
    if (!this.#writing) void this.#pump();
  }

  /** Resolves once every byte pushed so far is written (or the log died). */
  flushed(): Promise<void> {
    const target = this.enqueued;
    if (target <= this.written || this.#dead) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }

  datasync(): Promise<void> {
    return this.fh.datasync();
  }

  /** False once the file has no name left (it, or its directory, was removed). */
  async linked(): Promise<boolean> {
    const st = await this.fh.stat().catch(() => undefined);
    return st !== undefined && st.nlink > 0;
  }

  close(): Promise<void> {
    this.#dead = true;
    return this.fh.close();
  }

  /** Drops what is queued and releases waiters; the file handle is closed quietly. */
  abandon(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#queue = [];
    this.queued = 0;
    this.#release();
    void this.fh.close().catch(() => undefined);
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#dead) {
        const batch = this.#queue.splice(0, MAX_IOV);
        let bytes = 0;
        for (const b of batch) bytes += b.length;
        await writeFully(this.fh, batch);
        this.queued -= bytes;
        this.written += bytes;
        this.#release();
        this.onWritten();
      }
    } catch (err) {
      if (!this.#dead) this.onError(err);
    } finally {
      this.#writing = false;
    }
  }

  #release(): void {
    const ready = this.#waiters.filter((w) => w.target <= this.written || this.#dead);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

async function writeFully(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  let rest = bufs;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest);
    let n = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (n >= b.length) {
        n -= b.length;
      } else {
        next.push(n > 0 ? b.subarray(n) : b);
        n = 0;
      }
    }
    if (bytesWritten === 0 && next.length > 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    rest = next;
  }
}
