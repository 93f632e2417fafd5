import type { SqlClient, SqlDialect, SqlFinding } from './finding.js';
import type { LexRules } from './lexer.js';
import { Lexer, lexRules } from './lexer.js';
import { psqlMeta } from './psql.js';
import { clickhouseMeta, mysqlBackslash, mysqlLineCommand, sqliteDotCommand } from './clients.js';

/** A client-side command (psql `\x`, mysql `system`, sqlite3 `.shell`) found in the input. */
export interface MetaHit {
  /** Index just past the command; SQL resumes there. */
  end: number;
  findings: SqlFinding[];
  /** The command sends the SQL buffer to the server (psql `\g`, mysql `\G`). */
  terminator: boolean;
  /** Text that stands in for the command inside the SQL buffer (psql `\;` is a literal `;`). */
  insert?: string;
  /** mysql `delimiter X`. */
  delimiter?: string;
  /** The command text, for reports. */
  text: string;
  /** SQL the command itself sends to the server (psql `\copy (query) ...`). */
  sql?: string;
}

export type ScriptUnit =
  | { kind: 'sql'; text: string }
  | { kind: 'meta'; text: string; findings: SqlFinding[] };

interface ClientReader {
  rules: LexRules;
  backslash?: (text: string, pos: number) => MetaHit;
  /** A command recognised only at the start of a line while no SQL is pending. */
  lineCommand?: (text: string, start: number, lineEnd: number) => MetaHit | null;
}

export function defaultClient(dialect: SqlDialect): SqlClient | undefined {
  switch (dialect) {
    case 'postgres':
      return 'psql';
    case 'mysql':
      return 'mysql';
    case 'sqlite':
      return 'sqlite3';
    case 'clickhouse':
      return 'clickhouse-client';
    default:
      return undefined;
  }
}

function reader(dialect: SqlDialect, client: SqlClient | undefined): ClientReader {
  const rules = lexRules(client === 'mysql' ? 'mysql' : dialect);
  switch (client) {
    case 'psql':
      return { rules, backslash: psqlMeta };
    case 'mysql':
      return { rules, backslash: mysqlBackslash, lineCommand: mysqlLineCommand };
    case 'sqlite3':
      return { rules, lineCommand: sqliteDotCommand };
    case 'clickhouse-client':
      return { rules, backslash: clickhouseMeta };
    default:
      return { rules };
  }
}

function atLineStart(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j]!;
    if (c === '\n') return true;
    if (!/\s/.test(c)) return false;
  }
  return true;
}

/**
 * Separates what the client program itself does (meta-commands) from the SQL it sends to the
 * server, in order. The SQL text keeps everything between meta-commands, so statements split
 * across them are judged whole.
 */
export function splitScript(text: string, dialect: SqlDialect, client: SqlClient | undefined): ScriptUnit[] {
  const rd = reader(dialect, client);
  const units: ScriptUnit[] = [];
  const lx = new Lexer(text, rd.rules);
  let buf = '';
  let bufHasSql = false;
  let from = 0;
  let delimiter = ';';
  let depth = 0;

  const take = (upto: number): void => {
    const piece = text.slice(from, upto);
    if (/\S/.test(piece)) bufHasSql = true;
    buf += piece;
    from = upto;
  };
  const pushSql = (): void => {
    if (bufHasSql) units.push({ kind: 'sql', text: buf });
    buf = '';
    bufHasSql = false;
  };
  const pushMeta = (hit: MetaHit): void => {
    units.push({ kind: 'meta', text: hit.text, findings: hit.findings });
    if (hit.sql !== undefined && /\S/.test(hit.sql)) units.push({ kind: 'sql', text: hit.sql });
  };

  for (let tok = lx.next(); tok; tok = lx.next()) {
    if (
      rd.lineCommand &&
      !bufHasSql &&
      !/\S/.test(text.slice(from, tok.start)) &&
      atLineStart(text, tok.start)
    ) {
      const nl = text.indexOf('\n', tok.start);
      const hit = rd.lineCommand(text, tok.start, nl < 0 ? text.length : nl);
      if (hit) {
        take(tok.start);
        pushMeta(hit);
        if (hit.delimiter !== undefined) delimiter = hit.delimiter;
        from = lx.pos = hit.end;
        continue;
      }
    }
    if (delimiter !== ';' && tok.kind !== 'string' && tok.kind !== 'ident' && tok.kind !== 'comment' && text.startsWith(delimiter, tok.start)) {
      take(tok.start);
      buf += ';';
      pushSql();
      from = lx.pos = tok.start + delimiter.length;
      continue;
    }
    if (tok.kind === 'op' && tok.value === '(') depth++;
    if (tok.kind === 'op' && tok.value === ')') depth = Math.max(0, depth - 1);
    if (tok.kind === 'semi' && delimiter === ';' && depth === 0 && !lx.inExecutable) {
      // Clients send the buffer at `;`, so a client command on the next line sees it empty.
      take(tok.end);
      pushSql();
      continue;
    }
    if (tok.kind === 'backslash' && rd.backslash) {
      take(tok.start);
      const hit = rd.backslash(text, tok.start);
      buf += hit.insert ?? ' ';
      if (hit.delimiter !== undefined) delimiter = hit.delimiter;
      if (hit.terminator) {
        pushSql();
        if (hit.findings.length > 0 || hit.text.trim() !== '') pushMeta(hit);
      } else if (hit.text.trim() !== '') {
        pushMeta(hit);
      }
      from = lx.pos = hit.end;
    }
  }
  take(text.length);
  pushSql();
  return units;
}
