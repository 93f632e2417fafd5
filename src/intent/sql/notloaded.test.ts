import { describe, expect, it } from 'vitest';
import { analyzeSql, initSql } from './index.js';

// Vitest isolates test files, so the parsers are not loaded here until initSql() is called.
describe('before initSql() resolves', () => {
  it('fails closed with one evasion finding, even for harmless SQL', () => {
    const pending = initSql();
    for (const sql of ['SELECT 1', '\\dt', '']) {
      const out = analyzeSql(sql, 'postgres');
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ category: 'evasion', effect: 'parser-not-loaded', explanation: 'SQL parser not loaded' });
    }
    return pending.then(() => {
      expect(analyzeSql('SELECT 1', 'postgres')).toEqual([]);
    });
  });
});
