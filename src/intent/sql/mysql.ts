import { createRequire } from 'node:module';
import type { Parser as NspParser } from 'node-sql-parser';
import type { Cond, Term } from './condition.js';
import { matchesEveryRow } from './condition.js';
import type { JudgeContext, Node } from './context.js';
import { asArray, asNode, shapeKey } from './context.js';
import type { SqlFinding } from './finding.js';
import { finding, unanalysable } from './finding.js';
import { functionFinding, functionRule, settingFindings } from './rules.js';

type Grammar = 'mysql' | 'sqlite';
const parsers = new Map<Grammar, NspParser>();

/** Loads only the grammars we use (the package's index bundles every dialect, ~2.5 MB). */
export function loadMysql(): void {
  if (parsers.size > 0) return;
  const require = createRequire(import.meta.url);
  for (const g of ['mysql', 'sqlite'] as const) {
    const mod = require(`node-sql-parser/build/${g}`) as { Parser: new () => NspParser };
    parsers.set(g, new mod.Parser());
  }
}

/** Statement ASTs of `text` in a node-sql-parser grammar, or null when it does not parse. */
export function parseMysql(text: string, grammar: Grammar): Node[] | null {
  const p = parsers.get(grammar);
  if (!p) return null;
  try {
    const ast = p.astify(text, { database: grammar === 'mysql' ? 'MySQL' : 'Sqlite' }) as unknown;
    const list = Array.isArray(ast) ? ast : [ast];
    return list.map(asNode).filter((n): n is Node => n !== undefined);
  } catch {
    return null;
  }
}

function tableName(x: unknown): string {
  const t = asNode(x);
  if (!t) return typeof x === 'string' ? x : '';
  const table = typeof t.table === 'string' ? t.table : '';
  return typeof t.db === 'string' && t.db ? `${t.db}.${table}` : table;
}

function funcName(n: Node): string {
  if (typeof n.name === 'string') return n.name;
  return asArray(asNode(n.name)?.name)
    .map((p) => String(asNode(p)?.value ?? ''))
    .join('.');
}

const STRING_TYPES = new Set(['single_quote_string', 'double_quote_string', 'string', 'natural_string', 'hex_string', 'full_hex_string', 'bit_string']);

function termOf(x: unknown): Term {
  const n = asNode(x);
  if (!n) return { kind: 'other', key: shapeKey(x) };
  if (n.type === 'number') return { kind: 'const', value: Number(n.value) };
  if (n.type === 'bool' || n.type === 'boolean') return { kind: 'const', value: n.value === true };
  if (n.type === 'null') return { kind: 'const', value: null };
  if (typeof n.type === 'string' && STRING_TYPES.has(n.type)) return { kind: 'const', value: String(n.value ?? '') };
  if (n.type === 'column_ref') {
    const col = typeof n.column === 'string' ? n.column : String(asNode(asNode(n.column)?.expr)?.value ?? '');
    return { kind: 'column', name: typeof n.table === 'string' && n.table ? `${n.table}.${col}` : col };
  }
  return { kind: 'other', key: shapeKey(x) };
}

/** Converts a node-sql-parser expression into the neutral condition language. */
export function mysqlCond(x: unknown): Cond {
  const n = asNode(x);
  if (!n) return { op: 'unknown' };
  if (n.type === 'binary_expr') {
    const op = String(n.operator).toUpperCase();
    if (op === 'AND' || op === '&&') return { op: 'and', args: [mysqlCond(n.left), mysqlCond(n.right)] };
    if (op === 'OR' || op === '||') return { op: 'or', args: [mysqlCond(n.left), mysqlCond(n.right)] };
    if (op === 'IS' || op === 'IS NOT') {
      const right = termOf(n.right);
      if (right.kind === 'const' && right.value === null) return { op: 'null-test', negated: op === 'IS NOT', arg: termOf(n.left) };
      if (right.kind === 'const' && typeof right.value === 'boolean') {
        const c = mysqlCond(n.left);
        return right.value === (op === 'IS') ? c : { op: 'not', arg: c };
      }
      return { op: 'unknown' };
    }
    const items = asArray(asNode(n.right)?.value).map(termOf);
    if (op === 'IN' || op === 'NOT IN') return { op: 'in', negated: op === 'NOT IN', left: termOf(n.left), list: items };
    if ((op === 'BETWEEN' || op === 'NOT BETWEEN') && items.length === 2) {
      return { op: 'between', negated: op === 'NOT BETWEEN', arg: termOf(n.left), low: items[0]!, high: items[1]! };
    }
    if (op === 'LIKE' || op === 'NOT LIKE') return { op: 'like', negated: op === 'NOT LIKE', left: termOf(n.left), pattern: termOf(n.right) };
    return { op: 'cmp', cmp: op, left: termOf(n.left), right: termOf(n.right) };
  }
  if (n.type === 'unary_expr' && (String(n.operator).toUpperCase() === 'NOT' || n.operator === '!')) {
    return { op: 'not', arg: mysqlCond(n.expr) };
  }
  if (n.type === 'function' && funcName(n).toUpperCase() === 'EXISTS') {
    const sub = asNode(asNode(asArray(asNode(n.args)?.value)[0])?.ast);
    if (sub && !sub.from && !sub.where) return { op: 'always' };
    return { op: 'unknown' };
  }
  return { op: 'term', term: termOf(x) };
}

function bulkFinding(kind: 'delete' | 'update', n: Node): SqlFinding | null {
  const tables = asArray(n.table).map(tableName).filter(Boolean);
  const joins = asArray(n.from).map(asNode).filter((f) => f?.on !== undefined && f.on !== null);
  const where = n.where;
  let how: string | null = null;
  if (where === null || where === undefined) {
    // A multi-table DELETE/UPDATE narrows through its JOIN ... ON.
    if (joins.length === 0 || joins.every((j) => matchesEveryRow(mysqlCond(j!.on)))) how = 'has no WHERE: every row';
  } else if (matchesEveryRow(mysqlCond(where))) {
    how = 'has a WHERE that matches every row';
  }
  if (!how) return null;
  const limited = asArray(asNode(n.limit)?.value).length > 0;
  return finding(
    'bulk.delete',
    limited ? 'medium' : 'high',
    `${kind}-all`,
    `${kind.toUpperCase()} on ${tables.join(', ') || 'a table'} ${how}${limited ? ' (bounded only by LIMIT)' : ''}`,
    tables,
  );
}

const CRITICAL_DROP = new Set(['table', 'database', 'schema']);

function visitStatement(n: Node, ctx: JudgeContext, out: SqlFinding[]): boolean {
  switch (n.type) {
    case 'delete':
    case 'update': {
      const f = bulkFinding(n.type, n);
      if (f) out.push(f);
      return true;
    }
    case 'drop': {
      const kw = String(n.keyword ?? '').toLowerCase();
      const names = Array.isArray(n.name) ? n.name.map(tableName) : [tableName(n.name) || String(asNode(n.name)?.column ?? n.name ?? '')];
      out.push(finding('destroy.database', CRITICAL_DROP.has(kw) ? 'critical' : 'high', 'drop', `DROP ${kw.toUpperCase()} ${names.join(', ')}`, names));
      return true;
    }
    case 'truncate': {
      const names = asArray(n.name).map(tableName);
      out.push(finding('destroy.database', 'critical', 'truncate', `TRUNCATE empties ${names.join(', ')}`, names));
      return true;
    }
    case 'alter': {
      if (!Array.isArray(n.expr)) return true;
      const table = asArray(n.table).map(tableName).join(', ');
      for (const e of n.expr.map(asNode)) {
        if (String(e?.action).toLowerCase() !== 'drop') continue;
        const column = e?.resource === 'column';
        out.push(finding('destroy.database', column ? 'high' : 'medium', 'alter-drop', `ALTER TABLE ${table} DROP ${String(e?.keyword ?? e?.resource ?? '')}`, [table]));
      }
      return true;
    }
    case 'select': {
      const into = asNode(n.into);
      const kw = String(into?.keyword ?? '').toUpperCase();
      if (kw === 'OUTFILE' || kw === 'DUMPFILE') {
        out.push(finding('exfiltration', 'high', 'into-outfile', `SELECT ... INTO ${kw} writes query results to a file`));
      }
      return true;
    }
    case 'load_data':
      out.push(finding('secrets.read', 'high', 'load-data-infile', `LOAD DATA ${n.local ? 'LOCAL ' : ''}INFILE reads '${String(asNode(n.file)?.value ?? '')}' into a table`));
      return true;
    case 'grant': {
      const privs = asArray(n.objects).map((o) => String(asNode(asNode(o)?.priv)?.value ?? '').toUpperCase());
      const all = privs.some((p) => p.startsWith('ALL'));
      out.push(finding('privilege.escalation', all ? 'high' : 'medium', all ? 'grant-all' : 'grant', `GRANT ${privs.join(', ')}`));
      return true;
    }
    case 'create': {
      const kw = String(n.keyword ?? '').toLowerCase();
      if (kw === 'user') out.push(finding('persistence', 'high', 'create-role', 'CREATE USER adds a database account'));
      if (kw === 'trigger') out.push(finding('persistence', 'medium', 'trigger', 'CREATE TRIGGER runs code on later writes'));
      return true;
    }
    case 'set': {
      const global = /GLOBAL|PERSIST/i.test(String(n.keyword ?? ''));
      for (const e of asArray(n.expr).map(asNode)) {
        const left = asNode(e?.left);
        if (!left) continue;
        const name = [left.name, ...asArray(left.members)].map(String).join('.');
        const scoped = /^(global|persist)\./i.test(name) || global;
        const right = termOf(e?.right);
        // `SET x = OFF`: the bare word arrives as a column reference.
        const value =
          right.kind === 'column' ? right.name : right.kind === 'const' && right.value !== null ? String(right.value === true ? 1 : right.value === false ? 0 : right.value) : null;
        out.push(...settingFindings(name, value, scoped ? 'global' : 'session'));
      }
      return true;
    }
    case 'explain':
      // EXPLAIN without ANALYZE does not run its statement.
      return false;
    case 'function': {
      const name = funcName(n);
      const rule = functionRule(name, ctx.dialect);
      if (rule) out.push(functionFinding(name, rule));
      if (rule?.sqlArg) {
        const args = asArray(asNode(n.args)?.value);
        const arg = termOf(rule.sqlArg === 'first' || args.length < 2 ? args[0] : args[1]);
        if (arg.kind === 'const' && typeof arg.value === 'string') out.push(...ctx.nested(arg.value));
        else out.push(unanalysable('dynamic-sql', `${name}() runs SQL built at run time`));
      }
      return true;
    }
    default:
      return true;
  }
}

function walk(x: unknown, ctx: JudgeContext, out: SqlFinding[]): void {
  if (Array.isArray(x)) {
    for (const e of x) walk(e, ctx, out);
    return;
  }
  const n = asNode(x);
  if (!n) return;
  if (typeof n.type === 'string' && !visitStatement(n, ctx, out)) return;
  for (const v of Object.values(n)) walk(v, ctx, out);
}

/** Findings of one statement parsed by node-sql-parser, worst effect over its whole tree. */
export function judgeMysqlStatement(stmt: Node, ctx: JudgeContext): SqlFinding[] {
  const out: SqlFinding[] = [];
  walk(stmt, ctx, out);
  return out;
}
