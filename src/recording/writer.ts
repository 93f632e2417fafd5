/**
 * RecordingWriter: one append-only file per session. Every record goes through `enqueue`, which
 * chains it before it is queued, so the order on disk is the order hashed. A timer appends a signed
 * checkpoint, writes everything queued and fdatasyncs (at most `flushIntervalMs` of data is lost
 * to a crash); close() appends the sealing checkpoint. Any I/O error turns the writer into a no-op
 * after one onFailure call: the session layer decides whether to end the session.
 */
import { EventEmitter } from 'node:events';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/index.js';
import { initialChain, nextChain, recordDigest, shortHash, signCheckpoint } from './chain.js';
import {
  BULWARK_EVENT,
  buildHeader,
  eventLine,
  markerLabel,
  newRecordingId,
  type CheckpointRecord,
  type CommandInput,
  type ExitInfo,
  type RecordingMeta,
} from './format.js';
import {
  RecordingOpenError,
  RecordingSyncError,
  RecordingUnlinkedError,
  RecordingWriteError,
  type RecordingError,
} from './errors.js';
import { AppendLog } from './appendlog.js';
import { summaryFromHeader, writeSidecar, type Sidecar } from './sidecar.js';

export interface RecordingWriterOptions {
  key: { privateKey: KeyObject; fingerprint?: string };
  clock?: Clock;
  flushIntervalMs?: number;
  /** Bytes queued (not yet written) above which output() returns false. Default 1 MiB. */
  highWaterMark?: number;
  onFailure: (err: RecordingError) => void;
}

export class RecordingWriter extends EventEmitter {
  readonly id: string;
  readonly file: string;
  #failed = false;
  #closing: Promise<void> | undefined;
  #log: AppendLog;
  #key: KeyObject;
  #clock: Clock | undefined;
  #onFailure: (err: RecordingError) => void;
  #hwm: number;
  #timer: NodeJS.Timeout;
  #sidecar: Sidecar;
  #dir: string;

  #chain = initialChain();
  #seq = 0;
  #lastCheckpointSeq = 0;
  #recs: string[] = [];
  #syncing = false;
  #needDrain = false;
  #decoder = new TextDecoder('utf-8');
  #decoderDirty = false;
  #origin: number;
  #hr0 = process.hrtime.bigint();
  #startedAt: number;
  #lastT = 0;

  private constructor(
    dir: string,
    file: string,
    fh: FileHandle,
    id: string,
    meta: RecordingMeta,
    opts: RecordingWriterOptions,
    sidecar: Sidecar,
  ) {
    super();
    this.#dir = dir;
    this.file = file;
    this.#log = new AppendLog(fh, () => this.#afterWrite(), (err) => this.#fail(new RecordingWriteError(file, err)));
    this.id = id;
    this.#key = opts.key.privateKey;
    this.#clock = opts.clock;
    this.#onFailure = opts.onFailure;
    this.#hwm = opts.highWaterMark ?? 1 << 20;
    this.#startedAt = meta.startedAt;
    this.#origin = Math.floor(meta.startedAt / 1000) * 1000;
    this.#sidecar = sidecar;
    const every = Math.min(Math.max(opts.flushIntervalMs ?? 1000, 10), 1000);
    this.#timer = setInterval(() => void this.#checkpointAndSync(false), every);
    this.#timer.unref();
  }

  /** Creates `<dir>/<id>.cast` (never overwriting) and its sidecar. Rejects with ERR_RECORDING_OPEN. */
  static async open(dir: string, meta: RecordingMeta, opts: RecordingWriterOptions): Promise<RecordingWriter> {
    const id = meta.id ?? newRecordingId(meta.startedAt);
    const file = join(dir, `${id}.cast`);
    // A caller-chosen id becomes a file name: no separators, no dot files, nothing to escape dir.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
      throw new RecordingOpenError(file, new Error(`invalid recording id ${JSON.stringify(id)}`));
    }
    let fh: FileHandle;
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      // O_APPEND|O_EXCL: records only ever land at the end, and an existing recording is never reused.
      fh = await open(file, 'ax', 0o640);
    } catch (err) {
      throw new RecordingOpenError(file, err);
    }
    const header = buildHeader(id, meta, opts.key.fingerprint ?? '');
    const sidecar = summaryFromHeader(header, basename(file));
    try {
      await writeSidecar(dir, sidecar);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw new RecordingOpenError(join(dir, `${id}.json`), err);
    }
    const w = new RecordingWriter(dir, file, fh, id, meta, opts, sidecar);
    w.#enqueue(JSON.stringify(header));
    return w;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Output as the user saw it. Returns false when the caller should pause until 'drain'. */
  output(data: Uint8Array | string): boolean {
    if (this.#failed || this.#closing !== undefined) return true;
    let text: string;
    if (typeof data === 'string') {
      text = this.#decoderDirty ? this.#decoder.decode() + data : data;
      this.#decoderDirty = false;
    } else {
      // stream: true keeps an incomplete UTF-8 sequence for the next chunk instead of U+FFFD.
      text = this.#decoder.decode(data, { stream: true });
      this.#decoderDirty = true;
    }
    if (text.length > 0) this.#enqueue(eventLine(this.#offset(), 'o', text));
    if (this.#log.queued < this.#hwm) return true;
    this.#needDrain = true;
    return false;
  }

  resize(cols: number, rows: number): void {
    if (this.#failed || this.#closing !== undefined) return;
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0) return;
    this.#enqueue(eventLine(this.#offset(), 'r', `${cols}x${rows}`));
  }

  /** A judged command: a marker for players and a structured record with the full line. */
  command(c: CommandInput): void {
    if (this.#failed || this.#closing !== undefined) return;
    const t = this.#offset();
    this.#enqueue(eventLine(t, 'm', markerLabel(c)));
    const rec = {
      kind: 'command',
      line: c.line,
      verdict: c.verdict,
      rule: c.rule,
      categories: [...c.categories],
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      at: Math.round(this.#now()),
    };
    this.#enqueue(eventLine(t, BULWARK_EVENT, JSON.stringify(rec)));
    this.#sidecar.commands += 1;
    if (c.verdict === 'deny') this.#sidecar.denied += 1;
    if (c.verdict === 'review') this.#sidecar.reviewed += 1;
    this.#sidecar.commandLines.push({ at: rec.at, line: c.line, verdict: c.verdict, rule: c.rule, categories: rec.categories });
  }

  note(kind: string, data: object): void {
    if (this.#failed || this.#closing !== undefined) return;
    const rec = { kind: 'note', note: kind, data, at: this.#now() };
    this.#enqueue(eventLine(this.#offset(), BULWARK_EVENT, JSON.stringify(rec)));
  }

  /** Seals the recording (final signed checkpoint), fsyncs and closes. Never rejects. */
  close(exit: ExitInfo = {}): Promise<void> {
    this.#closing ??= this.#seal(exit);
    return this.#closing;
  }

  async #seal(exit: ExitInfo): Promise<void> {
    if (this.#failed) return;
    if (this.#decoderDirty) {
      const rest = this.#decoder.decode();
      if (rest.length > 0) this.#enqueue(eventLine(this.#offset(), 'o', rest));
    }
    const end = Math.round(this.#now());
    const cleanExit: ExitInfo = {
      ...(exit.status === undefined ? {} : { status: exit.status }),
      ...(exit.signal === undefined ? {} : { signal: exit.signal }),
    };
    this.#enqueueCheckpoint({
      sealed: true,
      end,
      exit: cleanExit,
      commands: this.#sidecar.commands,
      denied: this.#sidecar.denied,
    });
    await this.#checkpointAndSync(true);
    clearInterval(this.#timer);
    if (this.#failed) return;
    try {
      await this.#log.close();
    } catch (err) {
      this.#fail(new RecordingWriteError(this.file, err));
      return;
    }
    Object.assign(this.#sidecar, {
      status: 'sealed',
      end,
      ...(cleanExit.status === undefined ? {} : { exitStatus: cleanExit.status }),
      ...(cleanExit.signal === undefined ? {} : { exitSignal: cleanExit.signal }),
      records: this.#seq,
      chain: this.#chain.toString('hex'),
      bytes: this.#log.written,
    });
    try {
      await writeSidecar(this.#dir, this.#sidecar);
    } catch (err) {
      this.#fail(new RecordingWriteError(join(this.#dir, `${this.id}.json`), err));
    }
  }

  #now(): number {
    return this.#clock !== undefined ? this.#clock.now() : this.#startedAt + Number(process.hrtime.bigint() - this.#hr0) / 1e6;
  }

  /** Seconds since the header's timestamp, never going backwards. */
  #offset(): number {
    const t = Math.max(this.#lastT, (this.#now() - this.#origin) / 1000);
    this.#lastT = t;
    return t;
  }

  #enqueue(line: string): void {
    const buf = Buffer.from(`${line}\n`, 'utf8');
    const digest = recordDigest(buf.subarray(0, buf.length - 1));
    this.#chain = nextChain(this.#chain, digest);
    this.#seq += 1;
    this.#recs.push(shortHash(digest));
    this.#log.push(buf);
  }

  #enqueueCheckpoint(extra: Partial<CheckpointRecord>): void {
    // The event time is signed too: no later checkpoint covers the seal line, so every byte of it
    // must be under its own signature.
    const t = Number(this.#offset().toFixed(6));
    const ck: CheckpointRecord = {
      kind: 'checkpoint',
      t,
      seq: this.#seq,
      chain: this.#chain.toString('hex'),
      recs: this.#recs,
      at: Math.round(this.#now()),
      ...extra,
    };
    this.#recs = [];
    this.#lastCheckpointSeq = this.#seq + 1;
    const signed = signCheckpoint(ck, this.#key);
    this.#enqueue(eventLine(t, BULWARK_EVENT, JSON.stringify(signed)));
  }

  #afterWrite(): void {
    if (this.#needDrain && this.#log.queued < this.#hwm / 2) {
      this.#needDrain = false;
      this.emit('drain');
    }
  }

  /** Timer tick (or close): checkpoint new records, wait until written, fdatasync, check the inode. */
  async #checkpointAndSync(final: boolean): Promise<void> {
    if (this.#failed || (this.#syncing && !final)) return;
    if (!final && this.#closing !== undefined) return;
    this.#syncing = true;
    try {
      if (!final && this.#seq > this.#lastCheckpointSeq) this.#enqueueCheckpoint({});
      await this.#log.flushed();
      if (this.#failed) return;
      try {
        await this.#log.datasync();
      } catch (err) {
        this.#fail(new RecordingSyncError(this.file, err));
        return;
      }
      if (!(await this.#log.linked())) this.#fail(new RecordingUnlinkedError(this.file));
    } finally {
      this.#syncing = false;
    }
  }

  #fail(err: RecordingError): void {
    if (this.#failed) return;
    this.#failed = true;
    clearInterval(this.#timer);
    this.#log.abandon();
    // Paused sources must not wait forever for a drain that a dead writer will never produce.
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
    try {
      this.#onFailure(err);
    } catch {
      // The callback belongs to the session layer; its own errors must not escape into ours.
    }
  }
}
