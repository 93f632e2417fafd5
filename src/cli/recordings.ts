/**
 * `bulwark recordings list|show|prune`: search the recordings directory, print one session's
 * command timeline, and apply retention.
 *   list [--json] [--dir DIR] [--subject S] [--kind K] [--target T] [--since ISO] [--until ISO]
 *        [--decision allow|deny|review] [--text SUBSTR]
 *   show ID [--dir DIR] [--json]
 *   prune --max-age-days N [--hold ID,...] [--dir DIR]     (removals are logged as JSON on stderr)
 * Exit status: 0 ok, 1 not found or unreadable, 64 usage.
 */
import { describeError, isBulwarkError } from '../core/errors.js';
import { VERDICTS, type Verdict } from '../core/index.js';
import {
  applyRetention,
  listRecordings,
  resolveRecording,
  scanCast,
  type RecordingFilter,
  type RecordingSummary,
} from '../recording/index.js';
import { EXIT, parseCommand, writeLine, type CliIO } from './io.js';

const USAGE = `usage: bulwark recordings list [--json] [--dir DIR] [--subject S] [--kind K] [--target T]
                               [--since ISO] [--until ISO] [--decision allow|deny|review] [--text SUBSTR]
       bulwark recordings show ID [--dir DIR] [--json]
       bulwark recordings prune --max-age-days N [--hold ID,...] [--dir DIR]`;

const OPTIONS = {
  dir: { type: 'string', default: 'recordings' },
  json: { type: 'boolean', default: false },
  subject: { type: 'string' },
  kind: { type: 'string' },
  target: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  decision: { type: 'string' },
  text: { type: 'string' },
  'max-age-days': { type: 'string' },
  hold: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function time(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--${flag}: not a date/time: ${v}`);
  return t;
}

function filterFrom(v: Record<string, unknown>): RecordingFilter {
  const decision = v['decision'] as string | undefined;
  if (decision !== undefined && !(VERDICTS as readonly string[]).includes(decision)) {
    throw new UsageError(`--decision must be one of ${VERDICTS.join(', ')}`);
  }
  const f: RecordingFilter = {};
  for (const k of ['subject', 'kind', 'target', 'text'] as const) {
    const s = v[k];
    if (typeof s === 'string') f[k] = s;
  }
  const from = time('since', v['since'] as string | undefined);
  const to = time('until', v['until'] as string | undefined);
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  if (decision !== undefined) f.decision = decision as Verdict;
  return f;
}

function row(s: RecordingSummary): string {
  const who = `${s.subject} (${s.kind})`;
  const exit = s.exitStatus !== undefined ? `exit ${s.exitStatus}` : s.exitSignal !== undefined ? s.exitSignal : s.status;
  return `${s.id}  ${s.start.slice(0, 19)}Z  ${who.padEnd(28)} ${s.target.padEnd(16)} ${String(s.commands).padStart(4)} cmds ${String(s.denied).padStart(3)} denied  ${exit}`;
}

async function list(io: CliIO, v: Record<string, unknown>): Promise<number> {
  const found = await listRecordings(v['dir'] as string, filterFrom(v));
  if (v['json'] === true) writeLine(io.stdout, JSON.stringify(found, null, 2));
  else for (const s of found) writeLine(io.stdout, row(s));
  return EXIT.ok;
}

async function show(io: CliIO, v: Record<string, unknown>, id: string): Promise<number> {
  const scan = await scanCast(await resolveRecording(v['dir'] as string, id));
  const b = scan.header.bulwark;
  if (v['json'] === true) {
    writeLine(io.stdout, JSON.stringify({ id: b.id, header: b, sealed: scan.sealed, exit: scan.exit, commands: scan.commands }, null, 2));
    return EXIT.ok;
  }
  writeLine(io.stdout, `${b.id}  ${b.subject} (${b.kind}, groups ${b.groups.join(',') || '-'}) as ${b.principal} from ${b.source} to ${b.target}`);
  writeLine(io.stdout, `  ${b.mode}${b.command !== undefined ? `: ${b.command}` : ''}  started ${new Date(b.startedAt).toISOString()}  cert serial ${b.serial}`);
  for (const c of scan.commands) {
    const cats = c.categories.length > 0 ? c.categories.join(',') : '-';
    writeLine(io.stdout, `  +${c.t.toFixed(3).padStart(10)}s  ${c.verdict.toUpperCase().padEnd(6)} ${cats.padEnd(20)} ${c.rule.padEnd(16)} ${c.line.replace(/\n/g, '\n' + ' '.repeat(60))}`);
  }
  const end = scan.end !== undefined ? `ended ${new Date(scan.end).toISOString()}` : 'not sealed';
  const exit = scan.exit?.status !== undefined ? `, exit ${scan.exit.status}` : scan.exit?.signal !== undefined ? `, ${scan.exit.signal}` : '';
  writeLine(io.stdout, `  ${scan.commands.length} commands, ${end}${exit}`);
  return EXIT.ok;
}

async function prune(io: CliIO, v: Record<string, unknown>): Promise<number> {
  const days = Number(v['max-age-days']);
  if (v['max-age-days'] === undefined || !(days > 0)) throw new UsageError('--max-age-days N (N > 0) is required');
  const hold = ((v['hold'] as string[] | undefined) ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean);
  const removed = await applyRetention(v['dir'] as string, {
    maxAgeDays: days,
    legalHold: hold,
    log: (e) => writeLine(io.stderr, JSON.stringify({ time: new Date().toISOString(), ...e })),
  });
  writeLine(io.stdout, `${removed.length} recording(s) removed${hold.length > 0 ? `, ${hold.length} on legal hold kept` : ''}`);
  return EXIT.ok;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const parsed = parseCommand('recordings', rest, OPTIONS, USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  try {
    if (sub === 'list' && positionals.length === 0) return await list(io, values);
    if (sub === 'show' && positionals.length === 1) return await show(io, values, positionals[0] ?? '');
    if (sub === 'prune' && positionals.length === 0) return await prune(io, values);
  } catch (e) {
    if (e instanceof UsageError) {
      writeLine(io.stderr, `bulwark recordings: ${e.message}`);
      return EXIT.usage;
    }
    writeLine(io.stderr, `bulwark recordings: ${isBulwarkError(e) ? `${e.code}: ${e.message}` : describeError(e)}`);
    return EXIT.failure;
  }
  writeLine(io.stderr, USAGE);
  return EXIT.usage;
}
