/**
 * The verifier. It walks the file once, recomputing every record's digest and the chain, and at
 * each checkpoint whose signature holds it compares the signed short digests with what it saw: the
 * first difference is the first altered, removed, inserted or reordered record. Checkpoint lines
 * must also be byte-identical to their canonical rendering, so the seal (which no later checkpoint
 * covers) cannot be edited either. Limits: records after the last checkpoint of an unsealed file
 * are unauthenticated (at most one flush interval), and cutting a file exactly after a checkpoint
 * looks like a crash unless the sidecar remembers that the recording was sealed.
 */
import type { KeyObject } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import {
  checkpointSignatureValid,
  initialChain,
  isCheckpointShape,
  nextChain,
  recordDigest,
  shortHash,
} from './chain.js';
import {
  BULWARK_EVENT,
  eventLine,
  isRecordingId,
  parseEvent,
  parseHeader,
  parseRecord,
  type BulwarkRecord,
  type CastEvent,
  type CastHeader,
  type CheckpointRecord,
  type ExitInfo,
} from './format.js';
import { readLines } from './reader.js';
import { readSidecar } from './sidecar.js';
import { RecordingNotFoundError } from './errors.js';

export type VerifyStatus = 'sealed' | 'unsealed' | 'tampered';

export interface VerifyResult {
  status: VerifyStatus;
  /** Complete (newline-terminated) records in the file. */
  records: number;
  /** Records authenticated by a valid checkpoint (all of them when sealed). */
  covered: number;
  /** Unsealed only: complete records after the last checkpoint, not authenticated. */
  uncovered: number;
  /** A last line without its newline (cut mid-write). */
  partialLastLine: boolean;
  /** 1-based line number of the first record that is not what was signed. */
  firstBadRecord?: number;
  reason: string;
  id?: string;
  header?: CastHeader;
  seal?: { end?: number; exit?: ExitInfo; commands?: number; denied?: number };
}

const KNOWN_KINDS = new Set(['command', 'note', 'checkpoint']);

/** Whether an event is one bulwark writes: a flipped byte must not turn a record into another valid one. */
function wellFormed(ev: CastEvent | undefined, rec: BulwarkRecord | undefined): boolean {
  if (ev === undefined) return false;
  switch (ev[1]) {
    case 'o':
    case 'm':
    case 'i':
      return true;
    case 'r':
      return /^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$/.test(ev[2]);
    case BULWARK_EVENT:
      return rec !== undefined && KNOWN_KINDS.has(rec.kind);
    default:
      return false;
  }
}

export async function verifyRecording(file: string, publicKey: KeyObject): Promise<VerifyResult> {
  await stat(file).catch(() => {
    throw new RecordingNotFoundError(file);
  });
  let chain = initialChain();
  let from = 1;
  let observed: string[] = [];
  let records = 0;
  let covered = 0;
  let partial = false;
  let header: CastHeader | undefined;
  let seal: CheckpointRecord | undefined;
  let firstMalformed: number | undefined;
  let sealLine = 0;

  const base = (): Omit<VerifyResult, 'status' | 'reason'> => ({
    records,
    covered,
    uncovered: seal === undefined ? Math.max(0, records - covered) : 0,
    partialLastLine: partial,
    ...(header === undefined ? {} : { id: header.bulwark.id, header }),
  });
  // A line that does not parse cannot have been written by bulwark, so when one precedes the
  // record a check failed on, it is the first bad record: a lost newline merges a record into the
  // checkpoint after it, and the mismatch only shows at the next checkpoint, one line later.
  const tampered = (at: number, reason: string): VerifyResult => {
    const n = firstMalformed !== undefined && firstMalformed < at ? firstMalformed : at;
    const why = n === at ? reason : `not a well-formed record; then at record ${at}: ${reason}`;
    return { ...base(), status: 'tampered', firstBadRecord: n, reason: `record ${n}: ${why}` };
  };

  for await (const { n, bytes, complete } of readLines(file)) {
    if (!complete) {
      partial = true;
      if (seal !== undefined) return tampered(n, 'data after the seal');
      break;
    }
    if (seal !== undefined) return tampered(n, 'record after the seal');
    records = n;
    const digest = recordDigest(bytes);
    const text = bytes.toString('utf8');
    if (n === 1) {
      header = parseHeader(text);
      if (header === undefined) return tampered(1, 'not a bulwark asciicast v2 header');
    } else {
      const ev = parseEvent(text);
      const rec = ev === undefined ? undefined : parseRecord(ev);
      if (!wellFormed(ev, rec)) firstMalformed ??= n;
      if (ev !== undefined && rec?.kind === 'checkpoint') {
        if (!isCheckpointShape(rec) || !checkpointSignatureValid(rec, publicKey)) {
          return tampered(n, 'checkpoint signature does not verify (forged or edited checkpoint, or wrong key)');
        }
        // The signed short digests cover records start..seq; compare by absolute line number so
        // a removed checkpoint does not shift the blame onto the first line of the span.
        const start = rec.seq - rec.recs.length + 1;
        if (start < from || rec.seq < start - 1) {
          return tampered(n, 'checkpoint out of place (copied from elsewhere in the file)');
        }
        for (let line = start; line <= Math.max(rec.seq, n - 1); line += 1) {
          const want = line <= rec.seq ? rec.recs[line - start] : undefined;
          const got = line < n ? observed[line - from] : undefined;
          if (want !== got) {
            const why =
              got === undefined
                ? 'a signed record is missing here (removed)'
                : want === undefined
                  ? 'record not covered by the following signed checkpoint (inserted or reordered)'
                  : 'record differs from the signed one (altered, removed or reordered)';
            return tampered(line, why);
          }
        }
        if (rec.chain !== chain.toString('hex')) {
          // Everything the checkpoint lists matched, so the damage is before its span: the
          // checkpoint that should close the previous span is gone or no longer parses.
          return start > from
            ? tampered(start - 1, 'the checkpoint expected at this record is missing or altered')
            : tampered(from, 'hash chain does not match the signed value');
        }
        if (rec.seq !== n - 1) return tampered(n, `checkpoint is for record ${rec.seq + 1}, found at ${n}`);
        if (rec.t !== ev[0] || text !== eventLine(ev[0], BULWARK_EVENT, JSON.stringify(rec))) {
          return tampered(n, 'checkpoint line is not in its signed form');
        }
        covered = n - 1;
        from = n;
        observed = [];
        firstMalformed = undefined;
        if (rec.sealed === true) {
          seal = rec;
          sealLine = n;
          covered = n;
        }
      }
    }
    observed.push(shortHash(digest));
    chain = nextChain(chain, digest);
  }

  if (records === 0 && !partial) return { ...base(), status: 'unsealed', reason: 'empty recording (cut before its header was written)' };
  if (header === undefined) return tampered(1, 'header line is incomplete');
  const fileId = basename(file).replace(/\.cast$/, '');
  if (isRecordingId(fileId) && fileId !== header.bulwark.id) {
    return tampered(1, `file name says ${fileId} but the header says ${header.bulwark.id}`);
  }
  if (seal !== undefined) {
    return {
      ...base(),
      status: 'sealed',
      reason: `sealed at record ${sealLine}, all ${records} records intact`,
      seal: {
        ...(seal.end === undefined ? {} : { end: seal.end }),
        ...(seal.exit === undefined ? {} : { exit: seal.exit }),
        ...(seal.commands === undefined ? {} : { commands: seal.commands }),
        ...(seal.denied === undefined ? {} : { denied: seal.denied }),
      },
    };
  }
  if (firstMalformed !== undefined) return tampered(firstMalformed, 'malformed record after the last checkpoint');
  const side = await readSidecar(dirname(file), header.bulwark.id);
  if (side?.status === 'sealed') {
    if (side.records !== undefined && records >= side.records) {
      // Not short: the seal line is there but no longer reads as a checkpoint.
      return tampered(side.records, `the index recorded the seal at record ${side.records}, which is not a valid seal`);
    }
    // The first record that is gone: the partial line, or the one after the last complete line.
    return tampered(records + 1, `truncated: the index recorded a seal after ${side.records ?? '?'} records, the file has ${records}`);
  }
  const tail = records - covered;
  return {
    ...base(),
    status: 'unsealed',
    reason:
      `no seal: ${covered} records verified by checkpoints, ${tail} trailing record(s) not covered` +
      (partial ? ', partial last line ignored' : '') +
      ' (crash, or still being written)',
  };
}
