/**
 * One recording inside the recording worker: hash chain, signed checkpoints and the file itself.
 * Writes are synchronous: this thread has nothing else to do, a write to the page cache is a copy,
 * and "everything before this checkpoint is written" then holds the moment the checkpoint line is.
 * fdatasync and the link check go through the thread pool, so a slow disk flush of one recording
 * does not stall the others while it runs. The descriptor belongs to the writer's thread, which
 * opened it and closes it once this sink has reported that it is done with it.
 */
import { fdatasync, fstat, writeSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { initialChain, nextChain, recordDigest, shortHash, signCheckpoint } from './chain.js';
import { BULWARK_EVENT, eventLine, type CheckpointRecord } from './format.js';
import { JsonLineEncoder, completePrefixLength } from './escape.js';
import type { FailKind, SealFields } from './protocol.js';

const EMPTY = new Uint8Array(0);
/** Shared by every sink: they run one at a time on this thread and write each line synchronously. */
const encoder = new JsonLineEncoder();

export interface SealResult {
  records: number;
  chain: string;
  bytes: number;
}

export class Sink {
  written = 0;
  #chain = initialChain();
  #seq = 0;
  #lastCheckpointSeq = 0;
  #recs: string[] = [];
  /** Bytes of a character cut by the end of the last batch, kept for the next one. */
  #carry: Uint8Array = EMPTY;
  #dead = false;
  #syncing: Promise<void> | undefined;

  constructor(
    private readonly fd: number,
    private readonly key: KeyObject,
    private readonly onFail: (kind: FailKind, err?: unknown) => void,
  ) {}

  /** A complete record line (without its newline). */
  line(text: string): void {
    if (!this.#dead) this.#append(Buffer.from(`${text}\n`, 'utf8'));
  }

  /** Output bytes as one 'o' event at offset t; a trailing partial character waits for more. */
  output(t: number, bytes: Uint8Array): void {
    if (this.#dead) return;
    const data = this.#carry.length === 0 ? bytes : Buffer.concat([this.#carry, bytes]);
    const cut = completePrefixLength(data);
    // Copied: the batch buffer goes back to the writer for reuse once acknowledged.
    this.#carry = cut === data.length ? EMPTY : Uint8Array.from(data.subarray(cut));
    if (cut === 0) return;
    this.#append(encoder.encode(`[${t.toFixed(6)},"o","`, data.subarray(0, cut), '"]\n'));
  }

  /** Flush tick: checkpoint new records, then fdatasync and check the file still has a name. */
  tick(t: number, at: number): void {
    if (this.#dead || this.#syncing !== undefined) return;
    if (this.#seq > this.#lastCheckpointSeq) this.#checkpoint(t, at, {});
    const s = this.#sync();
    this.#syncing = s;
    void s.finally(() => {
      if (this.#syncing === s) this.#syncing = undefined;
    });
  }

  /** The closing checkpoint and a last fdatasync. Undefined if the recording failed. */
  async seal(t: number, at: number, fields: SealFields): Promise<SealResult | undefined> {
    // A periodic flush may still be running on the thread pool: let it end before reporting done.
    if (this.#syncing !== undefined) await this.#syncing;
    if (this.#dead) return undefined;
    if (this.#carry.length > 0) {
      // The stream ended inside a character: the decoder would emit U+FFFD for it, and so do we.
      this.line(eventLine(t, 'o', new TextDecoder().decode(this.#carry)));
      this.#carry = EMPTY;
    }
    this.#checkpoint(t, at, fields);
    await this.#sync();
    if (this.#dead) return undefined;
    this.#dead = true;
    return { records: this.#seq, chain: this.#chain.toString('hex'), bytes: this.written };
  }

  /** The writer gave up on this recording: touch nothing more. */
  async drop(): Promise<void> {
    this.#dead = true;
    if (this.#syncing !== undefined) await this.#syncing;
  }

  #checkpoint(t: number, at: number, extra: Partial<SealFields>): void {
    // The event time is signed too: no later checkpoint covers the seal line, so every byte of it
    // must be under its own signature.
    const ck: CheckpointRecord = {
      kind: 'checkpoint',
      t,
      seq: this.#seq,
      chain: this.#chain.toString('hex'),
      recs: this.#recs,
      at,
      ...extra,
    };
    this.#recs = [];
    this.#lastCheckpointSeq = this.#seq + 1;
    this.line(eventLine(t, BULWARK_EVENT, JSON.stringify(signCheckpoint(ck, this.key))));
  }

  /** `buf` is one whole line ending in '\n'; the record is chained before it is written. */
  #append(buf: Buffer): void {
    const digest = recordDigest(buf.subarray(0, buf.length - 1));
    this.#chain = nextChain(this.#chain, digest);
    this.#seq += 1;
    this.#recs.push(shortHash(digest));
    try {
      let off = 0;
      while (off < buf.length) {
        const n = writeSync(this.fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
        off += n;
        this.written += n;
      }
    } catch (err) {
      this.#fail('write', err);
    }
  }

  async #sync(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.#fail('sync', err);
      return;
    }
    if (this.#dead) return;
    const nlink = await new Promise<number>((resolve) => fstat(this.fd, (err, st) => resolve(err ? 0 : st.nlink)));
    if (!this.#dead && nlink === 0) this.#fail('unlinked');
  }

  #fail(kind: FailKind, err?: unknown): void {
    if (this.#dead) return;
    this.#dead = true;
    // Reported only once no flush of ours is still running on the descriptor: the report lets
    // the writer's thread close it.
    void (this.#syncing ?? Promise.resolve()).then(() => this.onFail(kind, err));
  }
}
