import type { SqlFinding } from './finding.js';
import { finding, unanalysable } from './finding.js';
import type { MetaHit } from './script.js';

function lineEndAt(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** The mysql client's own commands, shared by the `\x` and long forms. */
function mysqlCommand(name: string, arg: string, shown: string): SqlFinding[] {
  switch (name) {
    case 'system':
      return [unanalysable('shell-escape', `\`${shown}\` runs a shell command from the mysql client`, 'critical')];
    case 'source':
      return [unanalysable('include-file', `\`${shown}\` runs SQL from a file the judge cannot see`, 'medium')];
    case 'pager':
      return arg.trim() === ''
        ? []
        : [unanalysable('pipe-to-shell', `\`${shown}\` pipes query output into a shell command`, 'critical')];
    case 'edit':
      return [unanalysable('editor', `\`${shown}\` opens an editor, which can run shell commands`, 'medium')];
    default:
      return [];
  }
}

/** mysql `\X` commands; `\G` and `\g` end a statement. Letters with a rest-of-line argument first. */
const MYSQL_SHORT_WITH_ARG: Record<string, string> = {
  '!': 'system', '.': 'source', P: 'pager', T: 'tee', u: 'use', r: 'connect', C: 'charset', R: 'prompt',
  d: 'delimiter', h: 'help',
};
const MYSQL_SHORT_SAFE = new Set(['n', 't', 's', 'W', 'w', 'p', '#', '?', 'q', 'x', 'G', 'g', 'c', 'e']);

export function mysqlBackslash(text: string, pos: number): MetaHit {
  const ch = text[pos + 1] ?? '';
  const withArg = MYSQL_SHORT_WITH_ARG[ch];
  if (withArg !== undefined) {
    const eol = lineEndAt(text, pos);
    const arg = text.slice(pos + 2, eol);
    const shown = text.slice(pos, eol).trim();
    const hit: MetaHit = { end: eol, findings: mysqlCommand(withArg, arg, shown), terminator: false, text: shown };
    if (withArg === 'delimiter') {
      const d = arg.trim().split(/\s+/)[0];
      if (d) hit.delimiter = d;
    }
    return hit;
  }
  const shown = text.slice(pos, pos + 2);
  if (ch === 'e') {
    return { end: pos + 2, findings: mysqlCommand('edit', '', shown), terminator: false, text: shown };
  }
  if (MYSQL_SHORT_SAFE.has(ch)) {
    // `\c` clears the buffer unsent; judging it anyway can only over-report.
    return { end: pos + 2, findings: [], terminator: ch === 'G' || ch === 'g' || ch === 'c', text: shown };
  }
  return {
    end: pos + 2,
    findings: [unanalysable('unknown-meta-command', `unknown mysql client command \`${shown}\``, 'medium')],
    terminator: false,
    text: shown,
  };
}

const MYSQL_LONG_QUIET = new Set([
  'status', 'warnings', 'nowarning', 'nopager', 'notee', 'rehash', 'help', 'quit', 'exit', 'clear',
  'resetconnection', 'go', 'ego',
]);

/** mysql long-form commands (`system ls`, `delimiter //`): recognised at a line start with no SQL pending. */
export function mysqlLineCommand(text: string, start: number, lineEnd: number): MetaHit | null {
  const line = text.slice(start, lineEnd);
  const m = /^([A-Za-z_]+)(?=\s|;|$)(.*)$/s.exec(line);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const arg = m[2]!;
  if (name === 'system' || name === 'source' || name === 'pager' || name === 'edit') {
    return { end: lineEnd, findings: mysqlCommand(name, arg, line.trim()), terminator: false, text: line.trim() };
  }
  if (name === 'delimiter') {
    const d = arg.trim().split(/\s+/)[0];
    const hit: MetaHit = { end: lineEnd, findings: [], terminator: false, text: line.trim() };
    if (d) hit.delimiter = d;
    return hit;
  }
  if (MYSQL_LONG_QUIET.has(name) && /^\s*;?\s*$/.test(arg)) {
    return { end: lineEnd, findings: [], terminator: false, text: line.trim() };
  }
  return null;
}

const SQLITE_SAFE = new Set([
  'tables', 'schema', 'indexes', 'indices', 'headers', 'header', 'mode', 'width', 'timer', 'show', 'help',
  'databases', 'dbinfo', 'explain', 'nullvalue', 'separator', 'echo', 'changes', 'eqp', 'stats', 'print',
  'quit', 'exit', 'fullschema', 'lint', 'bail', 'prompt', 'timeout', 'limit', 'scanstats', 'expert',
  'selftest', 'sha3sum', 'vfsinfo', 'vfslist', 'vfsname', 'parameter', 'connection', 'conn', 'binary',
  'crnl', 'check', 'backup', 'save', 'clone', 'recover', 'dump', 'log', 'trace', 'intck', 'progress', 'cd',
  'dbtotxt',
]);

/** sqlite3 dot-commands: a line starting with `.` while no SQL is pending. */
export function sqliteDotCommand(text: string, start: number, lineEnd: number): MetaHit | null {
  if (text[start] !== '.') return null;
  const line = text.slice(start, lineEnd).trim();
  const m = /^\.([A-Za-z_0-9]*)(.*)$/s.exec(line)!;
  const name = m[1]!.toLowerCase();
  const arg = m[2]!;
  const pipe = /(^|\s)['"]?\|/.test(arg);
  const out: SqlFinding[] = [];
  if (name === 'shell' || name === 'system') {
    out.push(unanalysable('shell-escape', `\`${line}\` runs a shell command from sqlite3`, 'critical'));
  } else if (name === 'output' || name === 'once' || name === 'read') {
    if (pipe) out.push(unanalysable('pipe-to-shell', `\`${line}\` runs a shell command from sqlite3`, 'critical'));
    else if (name === 'read') out.push(unanalysable('include-file', `\`${line}\` runs SQL from a file the judge cannot see`, 'medium'));
    else if (/(^|\s)(-x|-e|--x|--e)\b/.test(arg)) out.push(unanalysable('editor', `\`${line}\` opens the output in another program`, 'medium'));
  } else if (name === 'load') {
    out.push(unanalysable('load-extension', `\`${line}\` loads native code into sqlite3`, 'critical'));
  } else if (name === 'import') {
    out.push(finding('secrets.read', 'medium', 'import-file', `\`${line}\` reads a file into the database`));
  } else if (name === 'restore') {
    out.push(finding('destroy.database', 'high', 'restore', `\`${line}\` overwrites the database from a file`));
  } else if (name === 'open' && /(^|\s)--new\b/.test(arg)) {
    out.push(finding('destroy.database', 'high', 'open-new', `\`${line}\` re-initialises a database file`));
  } else if (name === 'excel' || name === 'archive' || name === 'ar') {
    out.push(unanalysable('client-side-effect', `\`${line}\` opens other programs or writes files`, 'medium'));
  } else if (!SQLITE_SAFE.has(name)) {
    out.push(unanalysable('unknown-meta-command', `unknown sqlite3 dot-command \`.${name}\``, 'medium'));
  }
  return { end: lineEnd, findings: out, terminator: false, text: line };
}

/** clickhouse-client's few backslash shortcuts (`\l`, `\d`, `\c db`, `\G`). */
export function clickhouseMeta(text: string, pos: number): MetaHit {
  const ch = text[pos + 1] ?? '';
  if (ch === 'G') return { end: pos + 2, findings: [], terminator: true, text: '\\G' };
  if (ch === 'l' || ch === 'd') return { end: pos + 2, findings: [], terminator: false, text: `\\${ch}` };
  if (ch === 'c') {
    const eol = lineEndAt(text, pos);
    return { end: eol, findings: [], terminator: false, text: text.slice(pos, eol) };
  }
  return {
    end: pos + 2,
    findings: [unanalysable('unknown-meta-command', `unknown clickhouse-client command \`\\${ch}\``, 'medium')],
    terminator: false,
    text: `\\${ch}`,
  };
}
