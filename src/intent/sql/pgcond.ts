import type { Cond, Term } from './condition.js';
import type { Node } from './context.js';
import { asArray, asNode, shapeKey } from './context.js';

/** The one key of a Postgres AST node (`{"A_Const": {...}}` → ["A_Const", {...}]). */
export function tagOf(x: unknown): [string, Node] | null {
  const n = asNode(x);
  if (!n) return null;
  const keys = Object.keys(n);
  if (keys.length !== 1) return null;
  const v = asNode(n[keys[0]!]);
  return v ? [keys[0]!, v] : null;
}

export function stringOf(x: unknown): string | null {
  const t = tagOf(x);
  if (t && t[0] === 'String' && typeof t[1].sval === 'string') return t[1].sval;
  return null;
}

export function namesOf(list: unknown): string {
  return asArray(list)
    .map((x) => stringOf(x) ?? '')
    .filter((s) => s !== '')
    .join('.');
}

/** Value of a constant node, unwrapping casts. `undefined` means "not a constant". */
export function constOf(x: unknown): boolean | number | string | null | undefined {
  const t = tagOf(x);
  if (!t) return undefined;
  const [tag, v] = t;
  if (tag === 'A_Const') {
    if (v.isnull === true) return null;
    const ival = asNode(v.ival);
    if (ival) return typeof ival.ival === 'number' ? ival.ival : 0;
    const fval = asNode(v.fval);
    if (fval) return Number(fval.fval);
    const bval = asNode(v.boolval);
    if (bval) return bval.boolval === true;
    const sval = asNode(v.sval);
    if (sval) return typeof sval.sval === 'string' ? sval.sval : '';
    return undefined;
  }
  if (tag === 'TypeCast') {
    const inner = constOf(v.arg);
    const type = namesOf(asNode(v.typeName)?.names);
    if (inner !== undefined && inner !== null && /bool$/.test(type)) {
      return ['t', 'true', 'y', 'yes', 'on', '1'].includes(String(inner).toLowerCase());
    }
    return inner;
  }
  return undefined;
}

/** Folds string literals joined with `||` and `format()` with literal arguments, the usual ways
 * dynamic SQL is assembled; null when the text depends on anything else. */
export function foldString(x: unknown): string | null {
  const c = constOf(x);
  if (typeof c === 'string') return c;
  if (typeof c === 'number') return String(c);
  const t = tagOf(x);
  if (!t) return null;
  const [tag, v] = t;
  if (tag === 'A_Expr' && namesOf(v.name) === '||') {
    const l = foldString(v.lexpr);
    const r = foldString(v.rexpr);
    return l !== null && r !== null ? l + r : null;
  }
  if (tag === 'FuncCall' && /(^|\.)format$/.test(namesOf(v.funcname))) {
    const args = asArray(v.args).map(foldString);
    if (args.some((a) => a === null) || args.length === 0) return null;
    const [fmt, ...rest] = args as string[];
    let i = 0;
    return fmt!.replace(/%([%sIL])/g, (_m, k: string) => (k === '%' ? '%' : (rest[i++] ?? '')));
  }
  return null;
}

function termOf(x: unknown): Term {
  const c = constOf(x);
  if (c !== undefined) return { kind: 'const', value: c };
  const t = tagOf(x);
  if (t && t[0] === 'ColumnRef') {
    const name = asArray(t[1].fields)
      .map((f) => stringOf(f) ?? '*')
      .join('.');
    return { kind: 'column', name };
  }
  return { kind: 'other', key: shapeKey(x) };
}

const BOOL_OPS: Record<string, 'and' | 'or' | 'not'> = { AND_EXPR: 'and', OR_EXPR: 'or', NOT_EXPR: 'not' };

/** Converts a Postgres WHERE / ON expression into the neutral condition language. */
export function pgCond(x: unknown): Cond {
  const t = tagOf(x);
  if (!t) return { op: 'unknown' };
  const [tag, v] = t;
  switch (tag) {
    case 'BoolExpr': {
      const op = BOOL_OPS[String(v.boolop)];
      const args = asArray(v.args).map(pgCond);
      if (op === 'not') return { op: 'not', arg: args[0] ?? { op: 'unknown' } };
      return op ? { op, args } : { op: 'unknown' };
    }
    case 'A_Expr': {
      const name = namesOf(v.name);
      if (v.kind === 'AEXPR_OP') return { op: 'cmp', cmp: name, left: termOf(v.lexpr), right: termOf(v.rexpr) };
      const items = asArray(asNode(asNode(v.rexpr)?.List)?.items).map(termOf);
      if (v.kind === 'AEXPR_IN') return { op: 'in', negated: name === '<>', left: termOf(v.lexpr), list: items };
      if ((v.kind === 'AEXPR_BETWEEN' || v.kind === 'AEXPR_NOT_BETWEEN') && items.length === 2) {
        return { op: 'between', negated: v.kind === 'AEXPR_NOT_BETWEEN', arg: termOf(v.lexpr), low: items[0]!, high: items[1]! };
      }
      if (v.kind === 'AEXPR_LIKE' || v.kind === 'AEXPR_ILIKE') {
        return { op: 'like', negated: name.startsWith('!'), left: termOf(v.lexpr), pattern: termOf(v.rexpr) };
      }
      return { op: 'unknown' };
    }
    case 'NullTest':
      return { op: 'null-test', negated: v.nulltesttype === 'IS_NOT_NULL', arg: termOf(v.arg) };
    case 'BooleanTest': {
      const inner = pgCond(v.arg);
      if (v.booltesttype === 'IS_TRUE' || v.booltesttype === 'IS_NOT_FALSE') return inner;
      if (v.booltesttype === 'IS_FALSE' || v.booltesttype === 'IS_NOT_TRUE') return { op: 'not', arg: inner };
      return { op: 'unknown' };
    }
    case 'SubLink': {
      const sel = tagOf(v.subselect);
      // EXISTS (SELECT 1) with no FROM/WHERE holds for every row.
      if (v.subLinkType === 'EXISTS_SUBLINK' && sel && sel[0] === 'SelectStmt' && !sel[1].fromClause && !sel[1].whereClause) {
        return { op: 'always' };
      }
      return { op: 'unknown' };
    }
    default:
      return { op: 'term', term: termOf(x) };
  }
}
