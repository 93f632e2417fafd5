import type { SqlFinding } from './finding.js';
import { finding, unanalysable } from './finding.js';
import type { MetaHit } from './script.js';

/** Meta-commands that send the query buffer to the server. */
const TERMINATORS = new Set(['g', 'gx', 'gset', 'gexec', 'gdesc', 'watch', 'crosstabview', 'sendpipeline']);

/** Meta-commands whose argument is the whole rest of the line (psql's OT_WHOLE_LINE). */
const WHOLE_LINE = new Set(['!', 'copy', 'h', 'help', 'ef', 'ev', 'sf', 'sv']);

/** Meta-commands whose argument, when it starts with `|`, is a shell command for the rest of the line. */
const PIPE_TARGETS = new Set(['o', 'out', 'g', 'gx', 'w', 'write']);

/** Read-only or client-display commands. `\d...` (describe) is matched by prefix below. */
const SAFE = new Set([
  'l', 'l+', 'list', 'list+', 'x', 'timing', 'conninfo', 'a', 't', 'H', 'html', 'pset', 'set', 'unset',
  'echo', 'qecho', 'warn', 'q', 'quit', 'c', 'connect', 'encoding', 'errverbose', 'f', 'C', 'T', 'p',
  'print', 'r', 'reset', 'prompt', 'if', 'elif', 'else', 'endif', '?', 'h', 'help', 'copyright', 'sf',
  'sf+', 'sv', 'sv+', 'bind', 'bind_named', 'parse', 'close', 'close_prepared', 'startpipeline',
  'endpipeline', 'syncpipeline', 'sendpipeline', 'flushrequest', 'flush', 'getresults', 'z', 'z+',
  'lo_list', 'lo_list+', 's', 'cd', 'o', 'out', 'g', 'gx', 'w', 'write', 'gset', 'gdesc', 'watch',
  'crosstabview', 'lo_export', 'restrict', 'unrestrict', 'copy',
]);

interface Args {
  text: string;
  /** An unquoted backquote: psql runs it as a shell command and splices the output in. */
  backquote: boolean;
  /** Index where scanning stopped. */
  stop: number;
  /** Scanning stopped at `\\` (resume SQL after it) rather than at a newline or another command. */
  separator: boolean;
}

function readArgs(text: string, from: number, wholeLine: boolean): Args {
  const nl = text.indexOf('\n', from);
  const eol = nl < 0 ? text.length : nl;
  if (wholeLine) return { text: text.slice(from, eol), backquote: text.slice(from, eol).includes('`'), stop: eol, separator: false };
  let i = from;
  let quote: string | null = null;
  let backquote = false;
  while (i < eol) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === "'") i++;
      else if (c === quote) quote = null;
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '`') backquote = true;
    else if (c === '\\') break;
    else if (c === '|' && /^\s*$/.test(text.slice(from, i))) {
      // `\o |cmd`: psql hands the rest of the line to the shell.
      return { text: text.slice(from, eol), backquote, stop: eol, separator: false };
    }
    i++;
  }
  const separator = text[i] === '\\' && text[i + 1] === '\\';
  return { text: text.slice(from, i), backquote, stop: i, separator };
}

function classify(name: string, args: string, backquote: boolean): SqlFinding[] {
  const out: SqlFinding[] = [];
  const cmd = `\\${name}${args ? ' ' + args.trim() : ''}`;
  if (backquote) {
    out.push(unanalysable('backquote-shell', `psql runs the backquoted text of \`${cmd}\` as a shell command`, 'critical'));
  }
  const arg = args.trim();
  if (name === '!') {
    out.push(unanalysable('shell-escape', `\`${cmd}\` runs a shell command from psql, outside the shell judge`, 'critical'));
  } else if (PIPE_TARGETS.has(name) && arg.startsWith('|')) {
    out.push(unanalysable('pipe-to-shell', `\`${cmd}\` pipes query output into a shell command`, 'critical'));
  } else if (name === 'copy' && /\bprogram\b/i.test(arg.replace(/'(?:[^']|'')*'/g, "''"))) {
    out.push(unanalysable('copy-program', `\`${cmd}\` runs a shell command through \\copy ... program`, 'critical'));
  } else if (name === 'gexec') {
    out.push(unanalysable('dynamic-sql', '`\\gexec` runs each value of the query result as SQL the judge cannot see'));
  } else if (['i', 'include', 'ir', 'include_relative'].includes(name)) {
    out.push(unanalysable('include-file', `\`${cmd}\` runs SQL from a file the judge cannot see`, 'medium'));
  } else if (['e', 'edit', 'ef', 'ev'].includes(name)) {
    out.push(unanalysable('editor', `\`${cmd}\` opens an editor, which can run shell commands`, 'medium'));
  } else if (name === 'setenv') {
    out.push(unanalysable('setenv', `\`${cmd}\` changes the environment of later pagers, editors and shell escapes`, 'medium'));
  } else if (name === 'getenv') {
    out.push(finding('secrets.read', 'medium', 'getenv', `\`${cmd}\` copies an environment variable (which may hold a secret) into psql`));
  } else if (name === 'password') {
    out.push(finding('persistence', 'medium', 'password', `\`${cmd}\` sets a role's password (a new credential)`));
  } else if (name === 'lo_import') {
    out.push(finding('secrets.read', 'medium', 'lo-import', `\`${cmd}\` reads a client file into the database`));
  } else if (name === 'lo_unlink') {
    out.push(finding('destroy.database', 'medium', 'lo-unlink', `\`${cmd}\` deletes a large object`));
  } else if (!SAFE.has(name) && !/^d[A-Za-z]*[+Sx]*$/.test(name)) {
    out.push(unanalysable('unknown-meta-command', `unknown psql meta-command \`\\${name}\``, 'medium'));
  }
  return out;
}

/** Reads one psql meta-command starting at the backslash at `pos`. */
export function psqlMeta(text: string, pos: number): MetaHit {
  let i = pos + 1;
  const first = text[i];
  if (first === '\\') return { end: i + 1, findings: [], terminator: false, text: '' };
  if (first === ';') return { end: i + 1, findings: [], terminator: false, insert: ';', text: '' };
  let name: string;
  if (first !== undefined && /[A-Za-z]/.test(first)) {
    const m = /^[A-Za-z0-9_+]*/.exec(text.slice(i))!;
    name = m[0];
  } else {
    name = first ?? '';
  }
  i += name.length;
  const args = readArgs(text, i, WHOLE_LINE.has(name));
  const end = args.separator ? args.stop + 2 : args.stop;
  const findings = name === '' ? [unanalysable('unknown-meta-command', 'a lone backslash at the end of psql input', 'medium')] : classify(name, args.text, args.backquote);
  const hit: MetaHit = { end, findings, terminator: TERMINATORS.has(name), text: text.slice(pos, args.stop) };
  // `\copy (DELETE ... RETURNING *) TO file` runs its query on the server: judge it as SQL.
  if (name === 'copy') {
    const inner = parenthesised(args.text);
    if (inner !== null) hit.sql = inner;
  }
  return hit;
}

/** The text inside a leading balanced `( ... )`, skipping quoted parts; null if there is none. */
function parenthesised(arg: string): string | null {
  const open = arg.search(/\S/);
  if (open < 0 || arg[open] !== '(') return null;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < arg.length; i++) {
    const c = arg[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return arg.slice(open + 1, i);
    }
  }
  return arg.slice(open + 1);
}
