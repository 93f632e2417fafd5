/**
 * The on-disk shape of a recording: asciicast v2 lines plus bulwark's own records, which ride in
 * events of code "b" so that players skip them (asciinema 2.x plays only "o", asciinema-player
 * dispatches only o/i/r/m). "x" was avoided on purpose: asciicast v3 gives it a meaning (exit).
 */
import { randomBytes } from 'node:crypto';
import type { PrincipalKind, Verdict } from '../core/index.js';

export const BULWARK_EVENT = 'b';
export const FORMAT_TAG = 'bulwark.recording.v1';

export interface RecordingMeta {
  id?: string;
  subject: string;
  kind: PrincipalKind;
  groups: readonly string[];
  principal: string;
  serial: string;
  ca: string;
  /** "address:port" of the client. */
  source: string;
  target: string;
  mode: 'shell' | 'exec';
  command?: string;
  width: number;
  height: number;
  /** ms since the epoch. */
  startedAt: number;
  term?: string;
  title?: string;
}

export interface CommandInput {
  line: string;
  verdict: Verdict;
  rule: string;
  categories: readonly string[];
  reason?: string;
}

export interface ExitInfo {
  status?: number;
  signal?: string;
}

/** Who a recording is of, from where, on which target: the same fields in the header, the
 * sidecar index and listings, so they cannot drift apart. */
export interface RecordingParties {
  id: string;
  subject: string;
  kind: string;
  groups: string[];
  principal: string;
  serial: string;
  ca: string;
  source: string;
  target: string;
  mode: string;
  command?: string;
}

/** Header fields under "bulwark" (players ignore unknown header keys). */
export interface BulwarkHeader extends RecordingParties {
  format: typeof FORMAT_TAG;
  startedAt: number;
  /** Fingerprint of the key that signs checkpoints; informative only, verify uses a trusted key. */
  key: string;
}

export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  env: Record<string, string>;
  title?: string;
  bulwark: BulwarkHeader;
}

/** Sortable, unique: UTC second of the start plus 32 random bits. */
export function newRecordingId(startedAt: number): string {
  const iso = new Date(startedAt).toISOString(); // 2026-11-22T03:38:00.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

const ID_RE = /^(\d{8}T\d{6}Z)-[0-9a-f]{8}$/;

export function isRecordingId(value: string): boolean {
  return ID_RE.test(value);
}

/** Start time encoded in an id, or undefined for names bulwark did not make. */
export function idTime(id: string): number | undefined {
  const m = ID_RE.exec(id);
  if (m === null || m[1] === undefined) return undefined;
  const s = m[1];
  const t = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
  return Number.isFinite(t) ? t : undefined;
}

export function buildHeader(id: string, meta: RecordingMeta, keyFingerprint: string): CastHeader {
  const bulwark: BulwarkHeader = {
    format: FORMAT_TAG,
    id,
    subject: meta.subject,
    kind: meta.kind,
    groups: [...meta.groups],
    principal: meta.principal,
    serial: meta.serial,
    ca: meta.ca,
    source: meta.source,
    target: meta.target,
    mode: meta.mode,
    ...(meta.command === undefined ? {} : { command: meta.command }),
    startedAt: meta.startedAt,
    key: keyFingerprint,
  };
  return {
    version: 2,
    width: meta.width > 0 ? Math.floor(meta.width) : 80,
    height: meta.height > 0 ? Math.floor(meta.height) : 24,
    // asciicast timestamps are whole seconds; offsets are measured from this exact second so that
    // header time + offset is the wall-clock time of each event.
    timestamp: Math.floor(meta.startedAt / 1000),
    env: { TERM: meta.term ?? 'xterm-256color', SHELL: '/bin/bash' },
    ...(meta.title === undefined ? {} : { title: meta.title }),
    bulwark,
  };
}

/** `[t, code, data]` with t in seconds, microsecond precision. */
export function eventLine(t: number, code: string, data: string): string {
  return `[${t.toFixed(6)},"${code}",${JSON.stringify(data)}]`;
}

export const MARKER_MAX = 96;

/** Short marker label: players show it in a seek bar; the full line lives in the command record. */
export function markerLabel(c: CommandInput): string {
  const cats = c.categories.length > 0 ? ` ${c.categories.join(',')}` : '';
  const oneLine = c.line.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?').trim();
  const head = `${c.verdict}${cats}: `;
  const room = Math.max(16, MARKER_MAX - head.length);
  const shown = oneLine.length > room ? `${oneLine.slice(0, room - 1)}…` : oneLine;
  return `${head}${shown}`;
}

export interface CommandRecord {
  kind: 'command';
  line: string;
  verdict: Verdict;
  rule: string;
  categories: string[];
  reason?: string;
  at: number;
}

export interface NoteRecord {
  kind: 'note';
  note: string;
  data: object;
  at: number;
}

export interface CheckpointRecord {
  kind: 'checkpoint';
  /** The event time of this very line (seconds), so the signature covers it. */
  t: number;
  /** Number of records (lines) before this one; the chain value covers exactly those. */
  seq: number;
  chain: string;
  /** Short hashes of the records since the previous checkpoint (that checkpoint included). */
  recs: string[];
  at: number;
  sealed?: true;
  end?: number;
  exit?: ExitInfo;
  commands?: number;
  denied?: number;
  sig?: string;
}

export type BulwarkRecord = CommandRecord | NoteRecord | CheckpointRecord;

export type CastEvent = [number, string, string];

/** A parsed event line, or undefined when the line is not a well-formed `[t, code, string]`. */
export function parseEvent(line: string): CastEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [t, code, data] = v as unknown[];
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || typeof code !== 'string' || typeof data !== 'string') {
    return undefined;
  }
  return [t, code, data];
}

/** The bulwark record carried by a "b" event, if it is one. */
export function parseRecord(ev: CastEvent): BulwarkRecord | undefined {
  if (ev[1] !== BULWARK_EVENT) return undefined;
  try {
    const r = JSON.parse(ev[2]) as unknown;
    if (typeof r === 'object' && r !== null && typeof (r as { kind?: unknown }).kind === 'string') {
      return r as BulwarkRecord;
    }
  } catch {
    // fall through: not a record
  }
  return undefined;
}

export function parseHeader(line: string): CastHeader | undefined {
  try {
    const h = JSON.parse(line) as Partial<CastHeader> | null;
    if (h === null || typeof h !== 'object' || h.version !== 2) return undefined;
    if (typeof h.timestamp !== 'number' || typeof h.bulwark !== 'object' || h.bulwark === null) return undefined;
    if (typeof h.bulwark.id !== 'string') return undefined;
    return h as CastHeader;
  } catch {
    return undefined;
  }
}
