/**
 * RecordingWriter: one append-only file per session. This class runs on the session's thread and
 * does only what is cheap there: it timestamps output, coalesces it into batches (batch.ts) and
 * hands batches and record lines, in order, to the recording worker (host.ts, sink.ts), which
 * escapes, chains, signs and writes them. A timer asks the worker for a signed checkpoint and an
 * fdatasync (at most `flushIntervalMs` of data is lost to a crash); close() seals. Any I/O error,
 * or the worker dying, turns the writer into a no-op after one onFailure call: the session layer
 * decides whether to end the session.
 */
import { EventEmitter } from 'node:events';
import { close as closeFd, open as openFd } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/index.js';
import {
  BULWARK_EVENT,
  buildHeader,
  eventLine,
  markerLabel,
  newRecordingId,
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
import { recordingWorker, type RecordingWorker } from './host.js';
import { OutputBatch } from './batch.js';
import type { FailKind } from './protocol.js';
import type { SealResult } from './sink.js';
import { summaryFromHeader, writeSidecar, type Sidecar } from './sidecar.js';

export interface RecordingWriterOptions {
  key: { privateKey: KeyObject; fingerprint?: string };
  clock?: Clock;
  flushIntervalMs?: number;
  /**
   * Bytes queued (not yet written) above which output() returns false. Default 4 MiB: about
   * 10 ms of a fast stream, enough to ride out the worker losing its core for a scheduler
   * time slice or two without pausing the session (1 MiB paused a busy exec stream several
   * hundred times a second on two cores and cost about a tenth of its throughput).
   */
  highWaterMark?: number;
  onFailure: (err: RecordingError) => void;
}

export class RecordingWriter extends EventEmitter {
  readonly id: string;
  readonly file: string;
  #failed = false;
  #closing: Promise<void> | undefined;
  #host: RecordingWorker;
  #wid: number;
  #clock: Clock | undefined;
  #onFailure: (err: RecordingError) => void;
  #hwm: number;
  #timer: NodeJS.Timeout;
  #sidecar: Sidecar;
  #dir: string;

  /** Output bytes and line characters handed over (or batched) and not yet written. */
  #queued = 0;
  #needDrain = false;
  #batch: OutputBatch;
  #sealDone: ((r: SealResult | undefined) => void) | undefined;
  #origin: number;
  #hr0 = process.hrtime.bigint();
  #startedAt: number;
  #lastT = 0;
  #offsetAt = (now: number): number => this.#offset(now);

  private constructor(
    host: RecordingWorker,
    fd: number,
    header: string,
    file: string,
    meta: RecordingMeta,
    opts: RecordingWriterOptions,
    sidecar: Sidecar,
  ) {
    super();
    this.#host = host;
    this.#dir = dirname(file);
    this.file = file;
    this.id = sidecar.id;
    this.#clock = opts.clock;
    this.#onFailure = opts.onFailure;
    this.#hwm = opts.highWaterMark ?? 4 << 20;
    this.#startedAt = meta.startedAt;
    this.#origin = Math.floor(meta.startedAt / 1000) * 1000;
    this.#sidecar = sidecar;
    const every = Math.min(Math.max(opts.flushIntervalMs ?? 1000, 10), 1000);
    this.#timer = setInterval(() => this.#tick(), every);
    this.#timer.unref();
    this.#wid = host.attach(
      {
        acked: (n) => this.#acked(n),
        failed: (kind, message, code) => this.#fail(failure(kind, file, message, code)),
        sealed: (r) => this.#sealDone?.(r),
      },
      fd,
      opts.key.privateKey,
      header,
    );
    // Transferred, not copied; the worker hands the buffer back with its acknowledgement.
    this.#batch = new OutputBatch(host, (t, data) => this.#host.send({ op: 'out', id: this.#wid, t, data }, [data.buffer as ArrayBuffer]));
  }

  /** Creates `<dir>/<id>.cast` (never overwriting) and its sidecar. Rejects with ERR_RECORDING_OPEN. */
  static async open(dir: string, meta: RecordingMeta, opts: RecordingWriterOptions): Promise<RecordingWriter> {
    const id = meta.id ?? newRecordingId(meta.startedAt);
    const file = join(dir, `${id}.cast`);
    // A caller-chosen id becomes a file name: no separators, no dot files, nothing to escape dir.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
      throw new RecordingOpenError(file, new Error(`invalid recording id ${JSON.stringify(id)}`));
    }
    let host: RecordingWorker;
    let fd: number;
    try {
      // Fail closed: without its worker a recording cannot be written, so the session must not start.
      host = await recordingWorker();
      await mkdir(dir, { recursive: true, mode: 0o750 });
      // O_APPEND|O_EXCL: records only ever land at the end, and an existing recording is never reused.
      fd = await promisify(openFd)(file, 'ax', 0o640);
    } catch (err) {
      throw new RecordingOpenError(file, err);
    }
    const header = buildHeader(id, meta, opts.key.fingerprint ?? '');
    const sidecar = summaryFromHeader(header, basename(file));
    try {
      await writeSidecar(dir, sidecar);
    } catch (err) {
      await promisify(closeFd)(fd).catch(() => undefined);
      throw new RecordingOpenError(join(dir, `${id}.json`), err);
    }
    return new RecordingWriter(host, fd, JSON.stringify(header), file, meta, opts, sidecar);
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Output as the user saw it. Returns false when the caller should pause until 'drain'. */
  output(data: Uint8Array | string): boolean {
    if (this.#failed || this.#closing !== undefined) return true;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length > 0) {
      this.#batch.add(bytes, this.#now(), this.#offsetAt);
      this.#queued += bytes.length;
    }
    if (this.#queued < this.#hwm) return true;
    // The caller is about to pause: hand over what is batched now rather than at the timer.
    this.#batch.flush();
    this.#needDrain = true;
    return false;
  }

  resize(cols: number, rows: number): void {
    if (this.#failed || this.#closing !== undefined) return;
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0) return;
    this.#batch.flush();
    this.#line(eventLine(this.#offset(), 'r', `${cols}x${rows}`));
  }

  /** A judged command: a marker for players and a structured record with the full line. */
  command(c: CommandInput): void {
    if (this.#failed || this.#closing !== undefined) return;
    this.#batch.flush();
    const t = this.#offset();
    this.#line(eventLine(t, 'm', markerLabel(c)));
    const rec = {
      kind: 'command',
      line: c.line,
      verdict: c.verdict,
      rule: c.rule,
      categories: [...c.categories],
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      at: Math.round(this.#now()),
    };
    this.#line(eventLine(t, BULWARK_EVENT, JSON.stringify(rec)));
    this.#sidecar.commands += 1;
    if (c.verdict === 'deny') this.#sidecar.denied += 1;
    if (c.verdict === 'review') this.#sidecar.reviewed += 1;
    this.#sidecar.commandLines.push({ at: rec.at, line: c.line, verdict: c.verdict, rule: c.rule, categories: rec.categories });
  }

  note(kind: string, data: object): void {
    if (this.#failed || this.#closing !== undefined) return;
    this.#batch.flush();
    const rec = { kind: 'note', note: kind, data, at: this.#now() };
    this.#line(eventLine(this.#offset(), BULWARK_EVENT, JSON.stringify(rec)));
  }

  /** Seals the recording (final signed checkpoint), fsyncs and closes. Never rejects. */
  close(exit: ExitInfo = {}): Promise<void> {
    this.#closing ??= this.#seal(exit).catch((err: unknown) => this.#fail(new RecordingWriteError(this.file, err)));
    return this.#closing;
  }

  async #seal(exit: ExitInfo): Promise<void> {
    if (this.#failed) return;
    this.#batch.flush();
    const end = Math.round(this.#now());
    const cleanExit: ExitInfo = {
      ...(exit.status === undefined ? {} : { status: exit.status }),
      ...(exit.signal === undefined ? {} : { signal: exit.signal }),
    };
    const sealed = new Promise<SealResult | undefined>((resolve) => (this.#sealDone = resolve));
    const seal = { sealed: true as const, end, exit: cleanExit, commands: this.#sidecar.commands, denied: this.#sidecar.denied };
    this.#host.send({ op: 'seal', id: this.#wid, t: Number(this.#offset().toFixed(6)), at: Math.round(this.#now()), seal });
    const r = await sealed;
    clearInterval(this.#timer);
    if (this.#failed || r === undefined) return;
    Object.assign(this.#sidecar, {
      status: 'sealed',
      end,
      ...(cleanExit.status === undefined ? {} : { exitStatus: cleanExit.status }),
      ...(cleanExit.signal === undefined ? {} : { exitSignal: cleanExit.signal }),
      records: r.records,
      chain: r.chain,
      bytes: r.bytes,
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
  #offset(now = this.#now()): number {
    const t = Math.max(this.#lastT, (now - this.#origin) / 1000);
    this.#lastT = t;
    return t;
  }

  #line(line: string): void {
    this.#queued += line.length;
    this.#host.send({ op: 'line', id: this.#wid, line });
  }

  #tick(): void {
    if (this.#failed || this.#closing !== undefined) return;
    this.#batch.flush();
    // The event time is part of the signed checkpoint, so it is fixed here, in session time.
    this.#host.send({ op: 'tick', id: this.#wid, t: Number(this.#offset().toFixed(6)), at: Math.round(this.#now()) });
  }

  #acked(n: number): void {
    if (this.#failed) return;
    this.#queued -= n;
    if (this.#needDrain && this.#queued < this.#hwm / 2) {
      this.#needDrain = false;
      this.emit('drain');
    }
  }

  #fail(err: RecordingError): void {
    if (this.#failed) return;
    this.#failed = true;
    clearInterval(this.#timer);
    this.#batch.drop();
    this.#queued = 0;
    this.#host.detach(this.#wid);
    this.#sealDone?.(undefined);
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

function failure(kind: FailKind | 'dead', file: string, message: string, code: string | undefined): RecordingError {
  const cause = Object.assign(new Error(message), code === undefined ? {} : { code });
  if (kind === 'sync') return new RecordingSyncError(file, cause);
  if (kind === 'unlinked') return new RecordingUnlinkedError(file);
  return new RecordingWriteError(file, cause);
}
