import { parsePlPgSQLSync } from 'libpg-query';
import type { JudgeContext } from './context.js';
import { asArray, asNode } from './context.js';
import type { SqlFinding } from './finding.js';
import { unanalysable } from './finding.js';
import { foldString, tagOf } from './pgcond.js';
import { parsePostgres } from './postgres.js';

/** Statement fields that hold SQL text built at run time (EXECUTE, FOR ... IN EXECUTE, RETURN
 * QUERY EXECUTE, OPEN ... FOR EXECUTE). */
const DYNAMIC_FIELDS = new Set(['PLpgSQL_stmt_dynexecute.query', 'PLpgSQL_stmt_dynfors.query', 'PLpgSQL_stmt_return_query.dynquery', 'PLpgSQL_stmt_open.dynquery']);

const TAG = '$bulwark_body$';

/** The value of a PL/pgSQL expression when it is a constant string (after folding `||`, format()). */
function constantText(expr: string): string | null {
  const stmts = parsePostgres(`SELECT ${expr}`);
  const sel = stmts && stmts.length === 1 ? tagOf(stmts[0]) : null;
  if (!sel || sel[0] !== 'SelectStmt') return null;
  const targets = asArray(sel[1].targetList);
  if (targets.length !== 1 || sel[1].fromClause) return null;
  return foldString(asNode(asNode(targets[0])?.ResTarget)?.val);
}

function judgeExpr(query: string, parseMode: number, dynamic: boolean, ctx: JudgeContext, out: SqlFinding[]): void {
  if (dynamic) {
    const text = constantText(query);
    if (text === null) out.push(unanalysable('dynamic-sql', `EXECUTE of SQL built at run time (${query.slice(0, 60)})`));
    else out.push(...ctx.nested(text, 'postgres'));
    // The expression itself may also call something (EXECUTE pg_read_file(...)).
    out.push(...ctx.nested(`SELECT ${query}`, 'postgres').filter((f) => f.effect !== 'unparsed'));
    return;
  }
  if (parseMode === 0) {
    out.push(...ctx.nested(query, 'postgres'));
    return;
  }
  // Expressions and assignments (`x := f(y)`): judged as the SELECT that PL/pgSQL runs for them.
  const expr = parseMode >= 3 ? query.replace(/^\s*[\w."$]+(\s*\[[^\]]*\])?\s*:?=\s*/, '') : query;
  out.push(...ctx.nested(`SELECT ${expr}`, 'postgres'));
}

function walk(x: unknown, parentKey: string, ctx: JudgeContext, out: SqlFinding[]): void {
  if (Array.isArray(x)) {
    for (const e of x) walk(e, parentKey, ctx, out);
    return;
  }
  const n = asNode(x);
  if (!n) return;
  for (const [key, value] of Object.entries(n)) {
    const v = asNode(value);
    if (key === 'PLpgSQL_expr' && v && typeof v.query === 'string') {
      judgeExpr(v.query, typeof v.parseMode === 'number' ? v.parseMode : 0, DYNAMIC_FIELDS.has(parentKey), ctx, out);
      continue;
    }
    // Remember "Stmt.field" so an expression knows whether it is run as dynamic SQL.
    const next = key.startsWith('PLpgSQL_') ? key : `${parentKey.split('.')[0]}.${key}`;
    walk(value, next, ctx, out);
  }
}

/** Judges a PL/pgSQL body (a DO block or a function) statement by statement. */
export function judgePlpgsql(body: string, ctx: JudgeContext): SqlFinding[] {
  if (body.includes(TAG)) return [unanalysable('unparsed', 'PL/pgSQL body could not be isolated for analysis')];
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(`CREATE FUNCTION bulwark_probe() RETURNS SETOF record LANGUAGE plpgsql AS ${TAG}${body}${TAG}`);
  } catch {
    return [unanalysable('unparsed', 'PL/pgSQL body could not be parsed')];
  }
  const out: SqlFinding[] = [];
  walk(tree, '', ctx, out);
  return out;
}
