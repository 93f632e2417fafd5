/**
 * Messages between RecordingWriter (the session's thread) and the recording worker, which owns
 * everything that costs CPU per byte: escaping, hashing, signing and writing. One worker serves
 * every recording of the process; `id` names the recording. Message order is the record order.
 */
import type { KeyObject } from 'node:crypto';
import type { ExitInfo } from './format.js';

/** Fields the seal adds to the closing checkpoint. */
export interface SealFields {
  sealed: true;
  end: number;
  exit: ExitInfo;
  commands: number;
  denied: number;
}

export type ToWorker =
  /** Starts writing to `fd` (the writer's thread opened it and closes it) with the header line. */
  | { op: 'open'; id: number; fd: number; key: KeyObject; header: string }
  /** Output bytes (possibly ending inside a character) as one 'o' event at offset t. */
  | { op: 'out'; id: number; t: number; data: Uint8Array }
  /** A complete record line built by the writer (marker, resize, bulwark record), no newline. */
  | { op: 'line'; id: number; line: string }
  /** Flush tick: checkpoint if anything was written since the last one, then fdatasync. */
  | { op: 'tick'; id: number; t: number; at: number }
  | { op: 'seal'; id: number; t: number; at: number; seal: SealFields }
  /** Stop touching the recording's descriptor and say so, so that it can be closed. */
  | { op: 'drop'; id: number };

export type FailKind = 'write' | 'sync' | 'unlinked';

export type FromWorker =
  | { op: 'ready' }
  /**
   * `msgs` out/line messages of recording `id`, carrying `bytes` (output bytes, line
   * characters), are written; `bufs` hands their batch buffers back for reuse.
   */
  | { op: 'ack'; id: number; msgs: number; bytes: number; bufs: ArrayBuffer[] }
  /** The worker will not touch the recording's descriptor again (also after 'sealed'). */
  | { op: 'fail'; id: number; kind: FailKind; message: string; code?: string }
  | { op: 'sealed'; id: number; records: number; chain: string; bytes: number }
  | { op: 'dropped'; id: number };
