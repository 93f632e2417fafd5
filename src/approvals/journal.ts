/**
 * The on-disk form of the approval store: `<state>/approvals.jsonl`, one JSON line per change,
 * each line the whole request as it is after the change (last line per id wins). Append-only with
 * an fsync per line, so an acknowledged approval survives a crash; compacted on open (one line
 * per live request, written to a temporary file, fsynced, renamed over the log).
 *
 * Trust boundary: the file is bulwark's own (mode 0600 in the 0700 state directory); lines that
 * do not parse or lack the fields a request needs are skipped and counted, never trusted half-way
 * (a torn last line after a crash is the expected case). Known limits: synchronous writes on the
 * event loop (a few per request; fine at human approval rates); one process per state directory.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApprovalError } from './errors.js';
import { APPROVAL_STATUSES, FINAL_STATUSES, type ApprovalRequest } from './types.js';

export const JOURNAL_FILE = 'approvals.jsonl';
/** Closed requests are dropped at compaction this long after they closed. */
export const KEEP_CLOSED_MS = 7 * 24 * 3600 * 1000;

const FORMAT = 1;

function isRequest(v: unknown): v is ApprovalRequest {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  const who = r['requester'] as Record<string, unknown> | undefined;
  return (
    typeof r['id'] === 'string' &&
    /^[0-9a-f]{12}$/.test(r['id']) &&
    typeof r['command'] === 'string' &&
    typeof r['commandHash'] === 'string' &&
    typeof r['target'] === 'string' &&
    typeof r['expiresAt'] === 'number' &&
    typeof r['createdAt'] === 'number' &&
    (APPROVAL_STATUSES as readonly unknown[]).includes(r['status']) &&
    Array.isArray(r['decisions']) &&
    typeof who?.['subject'] === 'string' &&
    (who['kind'] === 'human' || who['kind'] === 'agent')
  );
}

export interface Loaded {
  readonly requests: Map<string, ApprovalRequest>;
  readonly skipped: number;
  readonly dropped: number;
}

export class Journal {
  #fd: number;

  private constructor(readonly file: string, fd: number) {
    this.#fd = fd;
  }

  /** Reads the log, compacts it and opens it for appending. */
  static open(stateDir: string, now: number): { journal: Journal; loaded: Loaded } {
    const file = join(stateDir, JOURNAL_FILE);
    const requests = new Map<string, ApprovalRequest>();
    let skipped = 0;
    let dropped = 0;
    try {
      if (existsSync(file)) {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          if (line.trim() === '') continue;
          try {
            const rec = JSON.parse(line) as { v?: unknown; request?: unknown };
            if (rec.v !== FORMAT || !isRequest(rec.request)) throw new Error('not a request');
            requests.set(rec.request.id, rec.request);
          } catch {
            skipped++;
          }
        }
      }
      for (const [id, r] of requests) {
        if (FINAL_STATUSES.has(r.status) && now - (r.closedAt ?? r.expiresAt) > KEEP_CLOSED_MS) {
          requests.delete(id);
          dropped++;
        }
      }
      const tmp = `${file}.tmp-${process.pid}`;
      const tfd = openSync(tmp, 'w', 0o600);
      try {
        const body = [...requests.values()].map((r) => `${JSON.stringify({ v: FORMAT, request: r })}\n`).join('');
        writeSync(tfd, body);
        fsyncSync(tfd);
      } finally {
        closeSync(tfd);
      }
      renameSync(tmp, file);
      // The rename is durable only once the directory entry is.
      const dfd = openSync(dirname(file), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
      return { journal: new Journal(file, openSync(file, 'a', 0o600)), loaded: { requests, skipped, dropped } };
    } catch (err) {
      throw new ApprovalError('ERR_APPROVAL_STORE', `cannot open the approval store ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Writes the request's new state and fsyncs before returning. Throws ERR_APPROVAL_STORE. */
  append(r: ApprovalRequest): void {
    if (this.#fd < 0) throw new ApprovalError('ERR_APPROVAL_STORE', 'the approval store is closed');
    try {
      writeSync(this.#fd, `${JSON.stringify({ v: FORMAT, request: r })}\n`);
      fsyncSync(this.#fd);
    } catch (err) {
      throw new ApprovalError('ERR_APPROVAL_STORE', `cannot write the approval store ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }
}
