import { describe, expect, it } from 'vitest';
import type { Cond, Term } from './condition.js';
import { truth } from './condition.js';

const c = (value: boolean | number | string | null): Term => ({ kind: 'const', value });
const col = (name: string): Term => ({ kind: 'column', name });
const cmp = (op: string, left: Term, right: Term): Cond => ({ op: 'cmp', cmp: op, left, right });
const term = (t: Term): Cond => ({ op: 'term', term: t });

describe('truth of a WHERE over every row', () => {
  it.each<[string, Cond, 'T' | 'F' | 'U']>([
    ['1 = 1', cmp('=', c(1), c(1)), 'T'],
    ['1 = 2', cmp('=', c(1), c(2)), 'F'],
    ["'a' = 'a'", cmp('=', c('a'), c('a')), 'T'],
    ["'a' <> 'b'", cmp('<>', c('a'), c('b')), 'T'],
    ['2 > 1', cmp('>', c(2), c(1)), 'T'],
    ["'1' = 1 (MySQL coercion)", cmp('=', c('1'), c(1)), 'T'],
    ['NULL = NULL', cmp('=', c(null), c(null)), 'F'],
    ['NULL <=> NULL', cmp('<=>', c(null), c(null)), 'T'],
    ['x = x', cmp('=', col('x'), col('X')), 'T'],
    ['x <> x', cmp('<>', col('x'), col('x')), 'F'],
    ['x = 1', cmp('=', col('x'), c(1)), 'U'],
    ['x = y', cmp('=', col('x'), col('y')), 'U'],
    ['true', term(c(true)), 'T'],
    ['1', term(c(1)), 'T'],
    ['0', term(c(0)), 'F'],
    ["'abc' (MySQL: 0)", term(c('abc')), 'F'],
    ['a column alone', term(col('active')), 'U'],
    ['NOT false', { op: 'not', arg: term(c(false)) }, 'T'],
    ['NOT x = 1', { op: 'not', arg: cmp('=', col('x'), c(1)) }, 'U'],
    ['x = 1 OR 1 = 1', { op: 'or', args: [cmp('=', col('x'), c(1)), cmp('=', c(1), c(1))] }, 'T'],
    ['x = 1 AND 1 = 1', { op: 'and', args: [cmp('=', col('x'), c(1)), cmp('=', c(1), c(1))] }, 'U'],
    ['x = 1 AND 1 = 0', { op: 'and', args: [cmp('=', col('x'), c(1)), cmp('=', c(1), c(0))] }, 'F'],
    ['id IS NOT NULL', { op: 'null-test', negated: true, arg: col('id') }, 'T'],
    ['id IS NULL', { op: 'null-test', negated: false, arg: col('id') }, 'U'],
    ["name LIKE '%'", { op: 'like', negated: false, left: col('name'), pattern: c('%') }, 'T'],
    ["name LIKE 'a%'", { op: 'like', negated: false, left: col('name'), pattern: c('a%') }, 'U'],
    ["'abc' LIKE 'a_c'", { op: 'like', negated: false, left: c('abc'), pattern: c('a_c') }, 'T'],
    ['f(x) = f(x)', cmp('=', { kind: 'other', key: 'f(x)' }, { kind: 'other', key: 'f(x)' }), 'T'],
    ['unknown', { op: 'unknown' }, 'U'],
  ])('%s → %s', (_name, cond, expected) => {
    expect(truth(cond)).toBe(expected);
  });
});
