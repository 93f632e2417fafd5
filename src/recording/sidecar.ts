/**
 * The sidecar `<id>.json` beside each recording: a small summary written at open and at close so
 * listing thousands of recordings does not parse their casts. It is an index, not evidence: the
 * verifier trusts only signed checkpoints, and uses the sidecar solely to notice that a recording
 * it once saw sealed has since lost its end.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from '../core/index.js';
import type { CastHeader, RecordingParties } from './format.js';

export interface SidecarCommand {
  at: number;
  line: string;
  verdict: Verdict;
  rule: string;
  categories: string[];
}

export interface Sidecar extends RecordingParties {
  /** ms since the epoch. */
  start: number;
  end?: number;
  exitStatus?: number;
  exitSignal?: string;
  commands: number;
  denied: number;
  reviewed: number;
  /** Base name of the cast beside this file. */
  file: string;
  status: 'open' | 'sealed';
  records?: number;
  chain?: string;
  bytes?: number;
  commandLines: SidecarCommand[];
}

export function summaryFromHeader(h: CastHeader, file: string): Sidecar {
  const b = h.bulwark;
  return {
    id: b.id,
    subject: b.subject,
    kind: b.kind,
    groups: [...b.groups],
    principal: b.principal,
    serial: b.serial,
    ca: b.ca,
    source: b.source,
    target: b.target,
    mode: b.mode,
    ...(b.command === undefined ? {} : { command: b.command }),
    start: b.startedAt,
    commands: 0,
    denied: 0,
    reviewed: 0,
    file,
    status: 'open',
    commandLines: [],
  };
}

export function sidecarPath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

/** Atomic replace, so a reader never sees half a summary. */
export async function writeSidecar(dir: string, s: Sidecar): Promise<void> {
  const file = sidecarPath(dir, s.id);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(s)}\n`, { mode: 0o640 });
  await rename(tmp, file);
}

export async function readSidecar(dir: string, id: string): Promise<Sidecar | undefined> {
  try {
    const v = JSON.parse(await readFile(sidecarPath(dir, id), 'utf8')) as Sidecar;
    if (typeof v !== 'object' || v === null || v.id !== id || typeof v.start !== 'number') return undefined;
    if (!Array.isArray(v.commandLines)) v.commandLines = [];
    return v;
  } catch {
    return undefined;
  }
}
