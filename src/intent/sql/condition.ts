/**
 * Does a WHERE clause narrow? A tiny dialect-neutral condition language that each parser's AST is
 * converted into, evaluated three-valued over "every row": T (true for every row, so the clause
 * does not narrow), F (no row), U (depends on the row: it narrows).
 */
export type Term =
  | { kind: 'const'; value: boolean | number | string | null }
  | { kind: 'column'; name: string }
  /** Any other expression; `key` is its structure without positions, so `f(x) = f(x)` is caught. */
  | { kind: 'other'; key: string };

export type Cond =
  | { op: 'and' | 'or'; args: Cond[] }
  | { op: 'not'; arg: Cond }
  | { op: 'cmp'; cmp: string; left: Term; right: Term }
  | { op: 'null-test'; negated: boolean; arg: Term }
  | { op: 'like'; negated: boolean; left: Term; pattern: Term }
  | { op: 'in'; negated: boolean; left: Term; list: Term[] }
  | { op: 'between'; negated: boolean; arg: Term; low: Term; high: Term }
  | { op: 'term'; term: Term }
  | { op: 'always' }
  | { op: 'unknown' };

export type Truth = 'T' | 'F' | 'U';

/** MySQL-style number of a string ('12abc' → 12, 'abc' → 0); the most permissive reading. */
function toNumber(v: boolean | number | string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(v);
  if (m) return Number(m[0]);
  const lower = v.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on'].includes(lower)) return 1;
  return 0;
}

function constTruth(v: boolean | number | string | null): Truth {
  if (v === null) return 'F';
  return toNumber(v) !== 0 ? 'T' : 'F';
}

function compare(cmp: string, a: boolean | number | string, b: boolean | number | string): boolean | null {
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') {
    x = a;
    y = b;
  } else {
    x = toNumber(a);
    y = toNumber(b);
  }
  switch (cmp) {
    case '=':
    case '==':
    case '<=>':
      return x === y;
    case '<>':
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      return null;
  }
}

function sameTerm(a: Term, b: Term): boolean {
  if (a.kind === 'column' && b.kind === 'column') return a.name.toLowerCase() === b.name.toLowerCase();
  if (a.kind === 'other' && b.kind === 'other') return a.key === b.key;
  return false;
}

function negate(t: Truth): Truth {
  return t === 'T' ? 'F' : t === 'F' ? 'T' : 'U';
}

export function truth(c: Cond): Truth {
  switch (c.op) {
    case 'always':
      return 'T';
    case 'unknown':
      return 'U';
    case 'not':
      return negate(truth(c.arg));
    case 'and': {
      const ts = c.args.map(truth);
      if (ts.includes('F')) return 'F';
      return ts.every((t) => t === 'T') ? 'T' : 'U';
    }
    case 'or': {
      const ts = c.args.map(truth);
      if (ts.includes('T')) return 'T';
      return ts.every((t) => t === 'F') ? 'F' : 'U';
    }
    case 'term':
      return c.term.kind === 'const' ? constTruth(c.term.value) : 'U';
    case 'null-test': {
      // `col IS NOT NULL` keeps every row a table normally has (keys are never NULL): a classic
      // way to satisfy a "must have WHERE" rule without narrowing. Read it as non-narrowing.
      if (c.arg.kind === 'const') return (c.arg.value === null) !== c.negated ? 'T' : 'F';
      return c.negated ? 'T' : 'U';
    }
    case 'like': {
      if (c.pattern.kind === 'const' && typeof c.pattern.value === 'string' && /^%+$/.test(c.pattern.value)) {
        return c.negated ? 'F' : 'T';
      }
      if (c.left.kind === 'const' && c.pattern.kind === 'const' && typeof c.left.value === 'string' && typeof c.pattern.value === 'string') {
        const re = new RegExp('^' + c.pattern.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 's');
        return re.test(c.left.value) !== c.negated ? 'T' : 'F';
      }
      return 'U';
    }
    case 'in': {
      let t: Truth = 'U';
      if (c.list.some((item) => sameTerm(c.left, item))) t = 'T';
      else if (c.left.kind === 'const' && c.list.every((i) => i.kind === 'const')) {
        t = c.list.some((i) => truth({ op: 'cmp', cmp: '=', left: c.left, right: i }) === 'T') ? 'T' : 'F';
      }
      return c.negated ? negate(t) : t;
    }
    case 'between': {
      const ge = truth({ op: 'cmp', cmp: '>=', left: c.arg, right: c.low });
      const le = truth({ op: 'cmp', cmp: '<=', left: c.arg, right: c.high });
      const t = truth({ op: 'and', args: [{ op: 'term', term: { kind: 'const', value: ge === 'T' } }, { op: 'term', term: { kind: 'const', value: le === 'T' } }] });
      const known = ge !== 'U' && le !== 'U';
      const result: Truth = known ? t : 'U';
      return c.negated ? negate(result) : result;
    }
    case 'cmp': {
      const { left, right, cmp } = c;
      if (sameTerm(left, right)) {
        // x = x is true on every non-NULL row; NULLs aside, it does not narrow.
        if (['=', '==', '<=>', '<=', '>='].includes(cmp)) return 'T';
        if (['<>', '!=', '<', '>'].includes(cmp)) return 'F';
        return 'U';
      }
      if (left.kind === 'const' && right.kind === 'const') {
        if (left.value === null || right.value === null) return cmp === '<=>' ? (left.value === right.value ? 'T' : 'F') : 'F';
        const r = compare(cmp, left.value, right.value);
        return r === null ? 'U' : r ? 'T' : 'F';
      }
      return 'U';
    }
  }
}

/** True when the condition does not narrow: it holds for every row. */
export function matchesEveryRow(c: Cond): boolean {
  return truth(c) === 'T';
}
