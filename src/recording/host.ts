/**
 * The recording worker as seen from the session's thread. The SSH server (pure-JS ssh2) already
 * keeps that thread busy, so every per-byte cost of a recording (escaping, SHA-256, writes)
 * runs in one worker thread shared by all recordings of the process; the session's thread only
 * copies output into batch buffers and hands them over without copying (transfer lists).
 *
 * The worker starts on the first recording and stays (about 50 ms to start under tsx). It keeps
 * the process alive only while it owes replies. If it dies, every open recording fails through
 * its onFailure (fail closed) and the next recording starts a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KeyObject } from 'node:crypto';
import type { FailKind, FromWorker, ToWorker } from './protocol.js';
import type { SealResult } from './sink.js';

/** Output is handed over in batches of this size (or at the coalescing timer). */
export const BATCH_BYTES = 256 * 1024;
/** Returned batch buffers kept for reuse: reuse spares an mmap and page faults per batch. */
const POOL_MAX = 16;
const START_TIMEOUT_MS = 15_000;

export interface WorkerClient {
  acked(bytes: number): void;
  failed(kind: FailKind | 'dead', message: string, code?: string): void;
  sealed(r: SealResult): void;
}

interface Entry {
  client: WorkerClient;
  fd: number;
  /** Messages sent and not yet acknowledged. */
  inflight: number;
}

export class RecordingWorker {
  #entries = new Map<number, Entry>();
  /** Descriptors of dropped recordings, closed once the worker confirms it stopped using them. */
  #dropping = new Map<number, number>();
  #nextId = 1;
  #busy = 0;
  #pool: ArrayBuffer[] = [];
  #dead = false;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => this.#onMessage(m));
    worker.on('error', (err) => this.#die(`recording worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.#die(`recording worker exited (code ${code})`));
    worker.unref();
  }

  /** Lets the worker write to `fd` (closed here once it is done) from the header on; returns an id. */
  attach(client: WorkerClient, fd: number, key: KeyObject, header: string): number {
    const id = this.#nextId++;
    if (this.#dead) {
      closeQuietly(fd);
      queueMicrotask(() => client.failed('dead', 'recording worker is gone'));
      return id;
    }
    this.#entries.set(id, { client, fd, inflight: 0 });
    this.worker.postMessage({ op: 'open', id, fd, key, header } satisfies ToWorker);
    return id;
  }

  send(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    const e = this.#entries.get(m.id);
    if (e === undefined) return;
    this.worker.postMessage(m, transfer);
    if (m.op === 'tick') return;
    e.inflight += 1;
    this.#setBusy(1);
  }

  /** A buffer for the next batch: a returned one if any, else a fresh one of its own. */
  batch(): Buffer {
    const ab = this.#pool.pop();
    return ab !== undefined ? Buffer.from(ab) : Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  /** The writer gives up on a recording: the worker stops using its descriptor, then it is closed. */
  detach(id: number): void {
    const e = this.#forget(id);
    if (e === undefined) return;
    this.#dropping.set(id, e.fd);
    this.worker.postMessage({ op: 'drop', id } satisfies ToWorker);
  }

  /** For tests: the thread, to kill it. */
  get thread(): Worker {
    return this.worker;
  }

  #forget(id: number): Entry | undefined {
    const e = this.#entries.get(id);
    if (e === undefined) return undefined;
    this.#entries.delete(id);
    this.#setBusy(-e.inflight);
    return e;
  }

  #onMessage(m: FromWorker): void {
    if (m.op === 'ready') return;
    if (m.op === 'dropped') {
      const fd = this.#dropping.get(m.id);
      this.#dropping.delete(m.id);
      if (fd !== undefined) closeQuietly(fd);
      return;
    }
    const e = this.#entries.get(m.id);
    if (m.op === 'ack') {
      for (const b of m.bufs) if (this.#pool.length < POOL_MAX) this.#pool.push(b);
      if (e === undefined) return;
      e.inflight -= m.msgs;
      this.#setBusy(-m.msgs);
      e.client.acked(m.bytes);
      return;
    }
    if (e === undefined) return;
    this.#forget(m.id);
    // Both replies mean the worker is done with the descriptor.
    if (m.op === 'fail') {
      closeQuietly(e.fd);
      e.client.failed(m.kind, m.message, m.code);
      return;
    }
    try {
      closeSync(e.fd);
    } catch (err) {
      const x = err as NodeJS.ErrnoException;
      e.client.failed('write', x.message, x.code);
      return;
    }
    e.client.sealed(m);
  }

  #setBusy(delta: number): void {
    const was = this.#busy;
    this.#busy += delta;
    // Ref'd only while replies are owed, like an fs request in flight: an idle recording must
    // not keep the process alive, but a pending seal must.
    if (was === 0 && this.#busy > 0) this.worker.ref();
    else if (was > 0 && this.#busy <= 0) this.worker.unref();
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = true;
    if (live === this) {
      live = undefined;
      starting = undefined;
    }
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const fd of this.#dropping.values()) closeQuietly(fd);
    this.#dropping.clear();
    this.#busy = 0;
    this.worker.unref();
    for (const e of entries) {
      // Nothing uses these descriptors any more: the thread that wrote to them is gone.
      closeQuietly(e.fd);
      e.client.failed('dead', reason);
    }
  }
}

let live: RecordingWorker | undefined;
let starting: Promise<RecordingWorker> | undefined;

/** The process's recording worker, started on first use. Rejects if it cannot start. */
export function recordingWorker(): Promise<RecordingWorker> {
  starting ??= start().then(
    (w) => (live = w),
    (err: unknown) => {
      starting = undefined;
      throw err;
    },
  );
  return starting;
}

/**
 * Starts the worker ahead of the first session (about 50 ms under tsx) so that no session waits
 * for it; rejects, like the first open would, if it cannot start.
 */
export async function prepareRecordingWorker(): Promise<void> {
  await recordingWorker();
}

/** For tests: the running worker, if any. */
export function currentRecordingWorker(): RecordingWorker | undefined {
  return live;
}

function start(): Promise<RecordingWorker> {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', here);
  // Sources run through tsx, which does not reach into worker threads; its require hook is
  // the quickest way to load the TypeScript entry there. Built JavaScript is imported as is.
  const code = fromSource
    ? `require(${JSON.stringify(createRequire(here).resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(fileURLToPath(entry))});`
    : `import(${JSON.stringify(pathToFileURL(fileURLToPath(entry)).href)});`;
  // execArgv: [] so that a parent started with `--import tsx` does not also load tsx's slower
  // ESM loader into the worker.
  const worker = new Worker(code, { eval: true, execArgv: [] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      void worker.terminate();
      reject(new Error(`recording worker did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onMessage = (m: FromWorker) => {
      if (m.op !== 'ready') return;
      cleanup();
      resolve(new RecordingWorker(worker));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`recording worker exited during start (code ${code})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing useful to do: the recording is already being reported as failed.
  }
}
