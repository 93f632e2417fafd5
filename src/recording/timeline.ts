/**
 * Reading judged commands back out of a recording, from the structured command records (never by
 * parsing marker labels). Tolerates a partial last line and unknown records; it does not verify:
 * run verifyRecording for evidence.
 */
import type { Verdict } from '../core/index.js';
import { parseEvent, parseHeader, parseRecord, type CastHeader, type CommandRecord } from './format.js';
import { readLines } from './reader.js';
import { RecordingFormatError } from './errors.js';

export interface CommandEntry {
  /** Line number of the structured record in the cast. */
  record: number;
  /** Seconds from the header timestamp (the player's clock). */
  t: number;
  /** ms since the epoch. */
  at: number;
  line: string;
  verdict: Verdict;
  rule: string;
  categories: string[];
  reason?: string;
}

export interface CastScan {
  header: CastHeader;
  commands: CommandEntry[];
  /** Offset of the last complete event, seconds. */
  lastT: number;
  sealed: boolean;
  end?: number;
  exit?: { status?: number; signal?: string };
}

export async function scanCast(file: string): Promise<CastScan> {
  let header: CastHeader | undefined;
  const commands: CommandEntry[] = [];
  let lastT = 0;
  let sealed = false;
  let end: number | undefined;
  let exit: CastScan['exit'];
  for await (const { n, bytes, complete } of readLines(file)) {
    if (!complete) break;
    const text = bytes.toString('utf8');
    if (n === 1) {
      header = parseHeader(text);
      if (header === undefined) throw new RecordingFormatError(file, 'no asciicast v2 header with bulwark fields');
      continue;
    }
    const ev = parseEvent(text);
    if (ev === undefined) continue;
    lastT = Math.max(lastT, ev[0]);
    const rec = parseRecord(ev);
    if (rec?.kind === 'command') {
      const c = rec as CommandRecord;
      commands.push({
        record: n,
        t: ev[0],
        at: typeof c.at === 'number' ? c.at : (header?.timestamp ?? 0) * 1000 + ev[0] * 1000,
        line: String(c.line),
        verdict: c.verdict,
        rule: String(c.rule),
        categories: Array.isArray(c.categories) ? c.categories.map(String) : [],
        ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
      });
    } else if (rec?.kind === 'checkpoint' && rec.sealed === true) {
      sealed = true;
      if (typeof rec.end === 'number') end = rec.end;
      exit = rec.exit;
    }
  }
  if (header === undefined) throw new RecordingFormatError(file, 'empty or missing header');
  return { header, commands, lastT, sealed, ...(end === undefined ? {} : { end }), ...(exit === undefined ? {} : { exit }) };
}

export async function readTimeline(file: string): Promise<CommandEntry[]> {
  return (await scanCast(file)).commands;
}
