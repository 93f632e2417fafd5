import { describeError } from '../../core/index.js';
import type { JudgeContext } from './context.js';
import { SqlParserLoadError } from './errors.js';
import { classifyTokens } from './fallback.js';
import type { SqlClient, SqlDialect, SqlFinding } from './finding.js';
import { FindingSet, unanalysable } from './finding.js';
import { lexRules, tokenize } from './lexer.js';
import { judgeMysqlStatement, loadMysql, parseMysql } from './mysql.js';
import { judgePlpgsql } from './plpgsql.js';
import { judgePostgresStatement, loadPostgres, parsePostgres } from './postgres.js';
import { defaultClient, splitScript } from './script.js';
import type { SqlStatement } from './statements.js';
import { splitStatements, wholeText } from './statements.js';

/** Larger input is not analysed: judging it would cost more than the latency budget allows. */
export const MAX_SQL_LENGTH = 128 * 1024;
/** More statements than this in one input are not analysed, for the same reason. */
export const MAX_STATEMENTS = 1000;
/** SQL that runs SQL (EXECUTE 'text', DO bodies) is followed this deep, then judged unanalysable. */
export const MAX_NESTING = 6;

const DIALECTS: readonly SqlDialect[] = ['postgres', 'mysql', 'sqlite', 'clickhouse', 'generic'];
const CLAUSE_WORDS = /\b(where|and|or|limit|id\s*=)\b/i;

let loaded = false;
let loading: Promise<void> | null = null;

export function initSql(): Promise<void> {
  if (loaded) return Promise.resolve();
  loading ??= (async () => {
    try {
      await loadPostgres();
      loadMysql();
      loaded = true;
    } catch (e) {
      loading = null;
      throw new SqlParserLoadError(e);
    }
  })();
  return loading;
}

type Reading = (st: SqlStatement, ctx: JudgeContext) => SqlFinding[] | null;

const pgReading: Reading = (st, ctx) => {
  const stmts = parsePostgres(st.text);
  return stmts ? stmts.flatMap((s) => judgePostgresStatement(s, ctx)) : null;
};
/** MySQL's `||` and `&&` are OR and AND (default sql_mode), binding looser than `=`;
 * node-sql-parser reads `||` as concatenation, so `id = 5 || 1` would look narrowing. */
function mysqlOperators(text: string): string {
  if (!text.includes('||') && !text.includes('&&')) return text;
  let out = '';
  let at = 0;
  const toks = tokenize(text, lexRules('mysql'));
  toks.forEach((t, i) => {
    const next = toks[i + 1];
    if (t.kind === 'op' && (t.value === '|' || t.value === '&') && next?.value === t.value && next.start === t.end) {
      out += text.slice(at, t.start) + (t.value === '|' ? ' OR ' : ' AND ');
      at = next.end;
    }
  });
  return out + text.slice(at);
}

const nspReading =
  (grammar: 'mysql' | 'sqlite'): Reading =>
  (st, ctx) => {
    const stmts = parseMysql(grammar === 'mysql' ? mysqlOperators(st.text) : st.text, grammar);
    return stmts ? stmts.flatMap((s) => judgeMysqlStatement(s, ctx)) : null;
  };
/** Postgres grammar on text whose strings have backslash escapes would misread them. */
const pgIfNoBackslash: Reading = (st, ctx) => (st.text.includes('\\') ? null : pgReading(st, ctx));

/** MySQL text that Postgres reads the same way: no backslash escapes, "strings", `||` as OR,
 * `&&`, `!`, `@variables`, backticks or `--` without a space (comments are already removed by the
 * MySQL lexer). libpg-query reads it about five times faster than node-sql-parser. */
const NOT_PORTABLE = /[\\"`@]|!(?!=)|--|\|\||&&/;
const pgIfPortable: Reading = (st, ctx) => (NOT_PORTABLE.test(st.text) ? null : pgReading(st, ctx));

const READINGS: Record<SqlDialect, Reading[]> = {
  postgres: [pgReading],
  mysql: [pgIfPortable, nspReading('mysql'), pgIfNoBackslash],
  sqlite: [pgReading, nspReading('sqlite')],
  clickhouse: [pgIfNoBackslash],
  generic: [pgReading, nspReading('mysql')],
};

const unparsed = (st: SqlStatement): SqlFinding =>
  unanalysable('unparsed', `SQL could not be parsed: ${st.text.slice(0, 80)}`);

function judgeStatement(st: SqlStatement, ctx: JudgeContext): SqlFinding[] {
  if (st.unterminated) return [unanalysable('unterminated', 'SQL has an unterminated quote or comment', 'medium')];
  let found: SqlFinding[] | null = null;
  for (const reading of READINGS[ctx.dialect]) {
    found = reading(st, ctx);
    if (found) break;
  }
  // The server's own grammar is authoritative for Postgres: what it rejects, it does not run, but
  // we still refuse to call text we could not read harmless.
  if (!found && ctx.dialect !== 'postgres') found = classifyTokens(st.text, tokenize(st.text, lexRules(ctx.dialect)), ctx);
  if (!found) return [unparsed(st)];
  if (found.some((f) => f.category === 'bulk.delete') && st.comments.some((c) => CLAUSE_WORDS.test(c))) {
    found.push(unanalysable('comment-hides-clause', 'a comment removes part of the statement (e.g. its WHERE clause)', 'medium'));
  }
  if (st.executable && found.length > 0) {
    found.push(unanalysable('executable-comment', 'a MySQL /*! ... */ executable comment hides code that runs', 'medium'));
  }
  return found;
}

/** Findings per statement of plain SQL text. */
function judgeSql(text: string, ctx: JudgeContext): SqlFinding[][] {
  const rules = lexRules(ctx.dialect);
  const stmts = splitStatements(text, rules);
  if (stmts.length > MAX_STATEMENTS) return [[unanalysable('too-large', `more than ${MAX_STATEMENTS} SQL statements are not analysed`)]];
  const results = stmts.map((st) => judgeStatement(st, ctx));
  const failed = results.some((r) => r.some((f) => f.effect === 'unparsed'));
  if (failed && stmts.length > 1) {
    // Our split may have cut a body with inner `;` (BEGIN ATOMIC ... END): try the whole text.
    const whole = wholeText(text, rules);
    if (whole) {
      const r = judgeStatement(whole, ctx);
      if (!r.some((f) => f.effect === 'unparsed')) return [r];
    }
  }
  return results;
}

function context(dialect: SqlDialect, depth: number): JudgeContext {
  const ctx: JudgeContext = {
    dialect,
    nested(text, d) {
      if (depth + 1 > MAX_NESTING) return [unanalysable('too-deep', 'SQL nested inside SQL too deeply to follow')];
      return judgeScript(text, d ?? dialect, undefined, depth + 1);
    },
    plpgsql(body) {
      if (depth + 1 > MAX_NESTING) return [unanalysable('too-deep', 'SQL nested inside SQL too deeply to follow')];
      return judgePlpgsql(body, context(dialect, depth + 1));
    },
  };
  return ctx;
}

interface Judged {
  /** Findings of client commands (psql `\!`, sqlite3 `.shell`). */
  meta: SqlFinding[];
  /** Findings per SQL statement, in order. */
  statements: SqlFinding[][];
}

function judgeUnits(text: string, dialect: SqlDialect, client: SqlClient | undefined, depth: number): Judged {
  const ctx = context(dialect, depth);
  const units = splitScript(text, dialect, client);
  if (units.length > MAX_STATEMENTS) return { meta: [unanalysable('too-large', `more than ${MAX_STATEMENTS} SQL statements are not analysed`)], statements: [] };
  const out: Judged = { meta: [], statements: [] };
  for (const u of units) {
    if (u.kind === 'meta') out.meta.push(...u.findings);
    else out.statements.push(...judgeSql(u.text, ctx));
  }
  return out;
}

function merge(j: Judged): SqlFinding[] {
  const set = new FindingSet();
  set.addAll(j.meta);
  for (const fs of j.statements) set.addAll(fs);
  // The classic hiding shape: a harmless statement first, so a glance (or a prefix check) passes.
  const firstHarmless = j.statements.findIndex((fs) => fs.length === 0);
  if (firstHarmless >= 0 && j.statements.slice(firstHarmless + 1).some((fs) => fs.length > 0)) {
    set.add(unanalysable('multi', 'a dangerous statement follows a harmless one in multi-statement input', 'medium'));
  }
  return set.list();
}

const PARSE_FAILURES = new Set(['unparsed', 'unterminated']);

const MYSQLISH = /[\\`#]|\/\*!/;

function judgeScript(text: string, dialect: SqlDialect, client: SqlClient | undefined, depth: number): SqlFinding[] {
  const primary = merge(judgeUnits(text, dialect, client, depth));
  if (dialect !== 'generic' || !MYSQLISH.test(text)) return primary;
  // Unknown server: where MySQL would read the text differently (backslash escapes, `#` comments,
  // executable comments), take the worst of both readings; "unparsed" only if both fail.
  const mysql = merge(judgeUnits(text, 'mysql', client, depth));
  const bad = (fs: SqlFinding[]): boolean => fs.some((f) => PARSE_FAILURES.has(f.effect));
  const set = new FindingSet();
  const keepUnparsed = bad(primary) && bad(mysql);
  for (const f of [...primary, ...mysql]) if (keepUnparsed || !PARSE_FAILURES.has(f.effect)) set.add(f);
  return set.list();
}

export function analyzeSql(text: string, dialect: SqlDialect, opts?: { client?: SqlClient }): SqlFinding[] {
  if (!loaded) return [unanalysable('parser-not-loaded', 'SQL parser not loaded')];
  try {
    if (typeof text !== 'string') return [unanalysable('unparsed', 'SQL input is not text')];
    if (text.length > MAX_SQL_LENGTH) return [unanalysable('too-large', `SQL input over ${MAX_SQL_LENGTH} characters is not analysed`)];
    const d = DIALECTS.includes(dialect) ? dialect : 'generic';
    return judgeScript(text, d, opts?.client ?? defaultClient(d), 0);
  } catch (e) {
    return [unanalysable('internal-error', `SQL judge failed: ${describeError(e)}`)];
  }
}
