/**
 * The catalog of a recordings directory: list with filters (from sidecars, falling back to
 * scanning casts still open or whose sidecar is gone), resolve ids, and retention.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Verdict } from '../core/index.js';
import { systemClock } from '../core/index.js';
import { readSidecar, sidecarPath, type SidecarCommand } from './sidecar.js';
import { scanCast } from './timeline.js';
import type { RecordingParties } from './format.js';
import { RecordingNotFoundError, RecordingRetentionError } from './errors.js';

export interface RecordingSummary extends Omit<RecordingParties, 'ca'> {
  /** ISO 8601. */
  start: string;
  end?: string;
  exitStatus?: number;
  exitSignal?: string;
  commands: number;
  denied: number;
  reviewed: number;
  file: string;
  /** Index state, not a verification: 'open' is being written or was cut off; run verify. */
  status: 'sealed' | 'open';
}

export interface RecordingFilter {
  subject?: string;
  kind?: string;
  target?: string;
  /** Recordings overlapping [from, to] (ms since the epoch). */
  from?: number;
  to?: number;
  /** At least one command with this verdict. */
  decision?: Verdict;
  /** Case-insensitive substring of some judged command line. */
  text?: string;
}

interface Entry {
  summary: RecordingSummary;
  lines: SidecarCommand[];
  startMs: number;
  endMs: number | undefined;
}

export async function recordingIds(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.cast'))
    .map((n) => n.slice(0, -'.cast'.length))
    .sort();
}

/** Accepts an id, a unique id prefix, or a path to a .cast file. */
export async function resolveRecording(dir: string, idOrFile: string): Promise<string> {
  if (idOrFile.endsWith('.cast')) {
    if (await stat(idOrFile).then(() => true, () => false)) return idOrFile;
    throw new RecordingNotFoundError(idOrFile);
  }
  const ids = await recordingIds(dir);
  if (ids.includes(idOrFile)) return join(dir, `${idOrFile}.cast`);
  const matches = ids.filter((i) => i.startsWith(idOrFile));
  if (matches.length === 1 && matches[0] !== undefined) return join(dir, `${matches[0]}.cast`);
  throw new RecordingNotFoundError(matches.length > 1 ? `${idOrFile} (ambiguous: ${matches.length} match)` : idOrFile);
}

async function entryFor(dir: string, id: string): Promise<Entry | undefined> {
  const file = join(dir, `${id}.cast`);
  const side = await readSidecar(dir, id);
  if (side !== undefined && side.status === 'sealed') {
    return {
      summary: {
        id,
        subject: side.subject,
        kind: side.kind,
        groups: side.groups,
        principal: side.principal,
        serial: side.serial,
        target: side.target,
        source: side.source,
        mode: side.mode,
        ...(side.command === undefined ? {} : { command: side.command }),
        start: new Date(side.start).toISOString(),
        ...(side.end === undefined ? {} : { end: new Date(side.end).toISOString() }),
        ...(side.exitStatus === undefined ? {} : { exitStatus: side.exitStatus }),
        ...(side.exitSignal === undefined ? {} : { exitSignal: side.exitSignal }),
        commands: side.commands,
        denied: side.denied,
        reviewed: side.reviewed,
        file,
        status: 'sealed',
      },
      lines: side.commandLines,
      startMs: side.start,
      endMs: side.end,
    };
  }
  // Open, crashed, or sidecar lost: the cast itself is the source.
  let scan;
  try {
    scan = await scanCast(file);
  } catch {
    return undefined;
  }
  const b = scan.header.bulwark;
  const endMs = scan.end ?? (scan.sealed ? undefined : scan.header.timestamp * 1000 + scan.lastT * 1000);
  const count = (v: Verdict): number => scan.commands.filter((c) => c.verdict === v).length;
  return {
    summary: {
      id,
      subject: b.subject,
      kind: b.kind,
      groups: b.groups,
      principal: b.principal,
      serial: b.serial,
      target: b.target,
      source: b.source,
      mode: b.mode,
      ...(b.command === undefined ? {} : { command: b.command }),
      start: new Date(b.startedAt).toISOString(),
      ...(endMs === undefined ? {} : { end: new Date(endMs).toISOString() }),
      ...(scan.exit?.status === undefined ? {} : { exitStatus: scan.exit.status }),
      ...(scan.exit?.signal === undefined ? {} : { exitSignal: scan.exit.signal }),
      commands: scan.commands.length,
      denied: count('deny'),
      reviewed: count('review'),
      file,
      status: scan.sealed ? 'sealed' : 'open',
    },
    lines: scan.commands.map((c) => ({ at: c.at, line: c.line, verdict: c.verdict, rule: c.rule, categories: c.categories })),
    startMs: b.startedAt,
    endMs,
  };
}

function matches(e: Entry, f: RecordingFilter): boolean {
  const s = e.summary;
  if (f.subject !== undefined && s.subject !== f.subject) return false;
  if (f.kind !== undefined && s.kind !== f.kind) return false;
  if (f.target !== undefined && s.target !== f.target) return false;
  if (f.to !== undefined && e.startMs > f.to) return false;
  if (f.from !== undefined && (e.endMs ?? Number.POSITIVE_INFINITY) < f.from) return false;
  if (f.decision !== undefined && !e.lines.some((l) => l.verdict === f.decision)) return false;
  if (f.text !== undefined) {
    const needle = f.text.toLowerCase();
    if (!e.lines.some((l) => l.line.toLowerCase().includes(needle))) return false;
  }
  return true;
}

export async function listRecordings(dir: string, filter: RecordingFilter = {}): Promise<RecordingSummary[]> {
  const out: RecordingSummary[] = [];
  for (const id of await recordingIds(dir)) {
    const e = await entryFor(dir, id);
    if (e !== undefined && matches(e, filter)) out.push(e.summary);
  }
  return out;
}

export interface RetentionLogEntry {
  event: 'recording.removed';
  id: string;
  file: string;
  ageDays: number;
}

export interface RetentionOptions {
  maxAgeDays: number;
  /** Recording ids that are never removed. */
  legalHold: readonly string[];
  clock?: Clock;
  log?: (entry: RetentionLogEntry) => void;
}

/**
 * Removes recordings whose end (or, for ones never sealed, last modification) is older than
 * maxAgeDays; returns the removed ids. Age counts from the end so a long session is not cut
 * while its last hours are still young; a file still being written has a fresh mtime.
 */
export async function applyRetention(dir: string, opts: RetentionOptions): Promise<string[]> {
  if (!Number.isFinite(opts.maxAgeDays) || opts.maxAgeDays <= 0) {
    throw new RecordingRetentionError(`maxAgeDays must be a positive number, got ${String(opts.maxAgeDays)}`);
  }
  const now = (opts.clock ?? systemClock).now();
  const limit = opts.maxAgeDays * 86_400_000;
  const hold = new Set(opts.legalHold);
  const removed: string[] = [];
  for (const id of await recordingIds(dir)) {
    if (hold.has(id)) continue;
    const file = join(dir, `${id}.cast`);
    const side = await readSidecar(dir, id);
    let ref = side?.status === 'sealed' ? side.end : undefined;
    if (ref === undefined) {
      const st = await stat(file).catch(() => undefined);
      if (st === undefined) continue;
      ref = st.mtimeMs;
    }
    const age = now - ref;
    if (age <= limit) continue;
    await unlink(file);
    await unlink(sidecarPath(dir, id)).catch(() => undefined);
    removed.push(id);
    opts.log?.({ event: 'recording.removed', id, file, ageDays: Math.floor(age / 86_400_000) });
  }
  return removed;
}
