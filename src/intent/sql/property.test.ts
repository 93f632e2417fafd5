import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient, SqlDialect } from './index.js';
import { analyzeSql, initSql } from './index.js';

beforeAll(async () => {
  await initSql();
});

const DIALECTS: SqlDialect[] = ['postgres', 'mysql', 'sqlite', 'clickhouse', 'generic'];
const CLIENTS: (SqlClient | undefined)[] = ['psql', 'mysql', 'sqlite3', 'clickhouse-client', undefined];

const HARMLESS = [
  'SELECT 1',
  'SELECT id, status FROM orders WHERE id = 42',
  "SELECT count(*) FROM events WHERE name = 'user_deleted'",
  'SELECT a FROM t ORDER BY a LIMIT 10',
  "UPDATE users SET name = 'x' WHERE id = 7",
  'DELETE FROM sessions WHERE id = 9',
  'INSERT INTO t (a) VALUES (1)',
  'SELECT * FROM t',
];

/** [statement, category it must keep producing]: valid in every dialect's main parser. */
const DANGEROUS: [string, string][] = [
  ['DROP TABLE customers', 'destroy.database'],
  ['TRUNCATE TABLE orders', 'destroy.database'],
  ['DELETE FROM orders', 'bulk.delete'],
  ['DELETE FROM orders WHERE 1=1', 'bulk.delete'],
  ['UPDATE users SET admin = 1', 'bulk.delete'],
  ['UPDATE users SET admin = 1 WHERE 1 = 1 OR id = 3', 'bulk.delete'],
  ['DROP DATABASE crm', 'destroy.database'],
];

const MAIN_DIALECTS: SqlDialect[] = ['postgres', 'mysql', 'sqlite', 'generic'];

const sqlish = fc.stringMatching(/^[ -~\n\t\\'"`;$#/*!().,=-]{0,80}$/);

describe('robustness', () => {
  it('random text never throws and always yields an array of findings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), sqlish, fc.string({ unit: 'grapheme', maxLength: 60 })), fc.constantFrom(...DIALECTS), fc.constantFrom(...CLIENTS), (text, dialect, client) => {
        const out = analyzeSql(text, dialect, client ? { client } : undefined);
        expect(Array.isArray(out)).toBe(true);
        for (const f of out) {
          expect(typeof f.category).toBe('string');
          expect(Array.isArray(f.tables)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('mutated real statements never throw and always yield an array', () => {
    const base = fc.constantFrom(...HARMLESS, ...DANGEROUS.map(([s]) => s), "COPY t TO PROGRAM 'x'", '\\! id', "DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", '/*!50000 DROP TABLE t */');
    const mutated = fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom("'", '"', '`', ';', '\\', '$$', '/*', '*/', '--', '\n', '(', ')', '#', 'x')), { maxLength: 5 })).map(([s, edits]) => {
      let t = s;
      for (const [pos, op, ins] of edits) {
        const p = pos % (t.length + 1);
        t = op === 0 ? t.slice(0, p) + t.slice(p + 1) : t.slice(0, p) + ins + t.slice(p);
      }
      return t;
    });
    fc.assert(
      fc.property(mutated, fc.constantFrom(...DIALECTS), (text, dialect) => {
        expect(Array.isArray(analyzeSql(text, dialect))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('semantics-preserving rewrites keep a dangerous statement flagged', () => {
  const sep = fc.constantFrom(';', '; ', ';\n', ' ;\n\n', ';/* x */', '; -- note\n');

  it('a dangerous statement after `;` behind any harmless one stays flagged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HARMLESS), sep, fc.constantFrom(...DANGEROUS), fc.constantFrom(...MAIN_DIALECTS), (harmless, s, [danger, category], dialect) => {
        const cats = analyzeSql(`${harmless}${s}${danger}`, dialect).map((f) => f.category);
        expect(cats).toContain(category);
      }),
      { numRuns: 300 },
    );
  });

  it('case changes, extra whitespace and comments between words keep it flagged', () => {
    const spacer = fc.constantFrom(' ', '  ', '\n', '\t', ' /* c */ ', ' -- c\n');
    fc.assert(
      fc.property(fc.constantFrom(...DANGEROUS), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.array(spacer, { minLength: 12, maxLength: 12 }), fc.constantFrom(...MAIN_DIALECTS), ([danger, category], flips, spacers, dialect) => {
        const words = danger.split(' ').map((w) => [...w].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
        const text = words.reduce((acc, w, i) => (i === 0 ? w : acc + spacers[i % spacers.length] + w), '');
        const cats = analyzeSql(text, dialect).map((f) => f.category);
        expect(cats).toContain(category);
      }),
      { numRuns: 300 },
    );
  });

  it('harmless statements joined by `;` stay harmless', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HARMLESS), { minLength: 1, maxLength: 4 }), fc.constantFrom(...MAIN_DIALECTS), (stmts, dialect) => {
        expect(analyzeSql(stmts.join(';\n'), dialect)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
