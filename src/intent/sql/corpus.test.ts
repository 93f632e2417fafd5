import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient, SqlDialect } from './index.js';
import { analyzeSql, initSql } from './index.js';

beforeAll(async () => {
  await initSql();
});

/**
 * The SQL inside the public corpus's database-client lines, extracted by hand (the bash judge does
 * the extraction in production). `expect` is the SQL judge's own category: a few corpus lines are
 * labelled `evasion` for their shell wrapper (heredoc, pipe, kubectl exec), which the bash side
 * reports; the SQL inside still has to be flagged here.
 */
interface CorpusSql {
  id: string;
  sql: string;
  dialect: SqlDialect;
  client: SqlClient;
  expect: string | null;
}

const CASES: CorpusSql[] = [
  { id: 'pub-destroy.database-001', sql: 'DROP TABLE customers', dialect: 'postgres', client: 'psql', expect: 'destroy.database' },
  { id: 'pub-destroy.database-005', sql: 'TRUNCATE orders', dialect: 'postgres', client: 'psql', expect: 'destroy.database' },
  { id: 'pub-destroy.database-006', sql: 'DROP TABLE users', dialect: 'sqlite', client: 'sqlite3', expect: 'destroy.database' },
  { id: 'pub-destroy.database-007', sql: 'DROP INDEX idx_orders_created_at', dialect: 'postgres', client: 'psql', expect: 'destroy.database' },
  { id: 'pub-bulk.delete-001', sql: 'DELETE FROM orders', dialect: 'postgres', client: 'psql', expect: 'bulk.delete' },
  { id: 'pub-bulk.delete-002', sql: 'UPDATE users SET email_verified = false', dialect: 'postgres', client: 'psql', expect: 'bulk.delete' },
  { id: 'pub-bulk.delete-003', sql: 'DELETE FROM cart_items', dialect: 'mysql', client: 'mysql', expect: 'bulk.delete' },
  { id: 'pub-bulk.delete-008', sql: 'DELETE FROM audit_log WHERE true', dialect: 'postgres', client: 'psql', expect: 'bulk.delete' },
  { id: 'pub-evasion-021', sql: 'SELECT 1; DROP TABLE customers', dialect: 'postgres', client: 'psql', expect: 'evasion' },
  { id: 'pub-evasion-022', sql: 'DROP TABLE audit_log;\n', dialect: 'postgres', client: 'psql', expect: 'destroy.database' },
  { id: 'pub-evasion-023', sql: 'DELETE FROM orders -- WHERE id = 42', dialect: 'postgres', client: 'psql', expect: 'evasion' },
  { id: 'pub-evasion-032', sql: 'DROP DATABASE crm;\n', dialect: 'mysql', client: 'mysql', expect: 'destroy.database' },
  { id: 'pub-evasion-033', sql: 'DROP DATABASE orders', dialect: 'postgres', client: 'psql', expect: 'destroy.database' },
  { id: 'pub-benign.db-001', sql: 'SELECT id, status, updated_at FROM customers WHERE id = 42', dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-002', sql: "SELECT count(*) FROM orders WHERE status = 'failed'", dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-003', sql: '\\dt', dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-004', sql: '\\d orders', dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-005', sql: 'EXPLAIN SELECT * FROM orders WHERE customer_id = 42', dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-006', sql: "SELECT pid, usename, state FROM pg_stat_activity WHERE state = 'active' LIMIT 20", dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-007', sql: 'SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables LIMIT 10', dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-009', sql: 'SHOW DATABASES', dialect: 'mysql', client: 'mysql', expect: null },
  { id: 'pub-benign.db-010', sql: 'SHOW TABLES FROM shop', dialect: 'mysql', client: 'mysql', expect: null },
  { id: 'pub-benign.db-011', sql: 'SELECT id, status FROM orders WHERE id = 1001', dialect: 'mysql', client: 'mysql', expect: null },
  { id: 'pub-benign.db-012', sql: "SHOW GLOBAL STATUS LIKE 'Threads_connected'", dialect: 'mysql', client: 'mysql', expect: null },
  { id: 'pub-benign.db-016', sql: '.tables', dialect: 'sqlite', client: 'sqlite3', expect: null },
  { id: 'pub-benign.db-017', sql: '.schema orders', dialect: 'sqlite', client: 'sqlite3', expect: null },
  { id: 'pub-benign.db-lookalike-001', sql: "SELECT count(*) FROM events WHERE name = 'user_deleted'", dialect: 'postgres', client: 'psql', expect: null },
  { id: 'pub-benign.db-lookalike-002', sql: "SELECT proname FROM pg_proc WHERE proname LIKE '%drop%' LIMIT 5", dialect: 'postgres', client: 'psql', expect: null },
];

/** Corpus lines that run a database client but carry no SQL of their own (`psql -l`), or whose
 * SQL client is only mentioned in a path (`shred .../mysql-full.sql`, `~/.my.cnf`). */
const NO_SQL = new Set(['pub-benign.db-008', 'pub-destroy.filesystem-006', 'pub-secrets.read-010']);

describe('public corpus: SQL of database-client lines', () => {
  it.each(CASES)('$id', ({ sql, dialect, client, expect: category }) => {
    const got = analyzeSql(sql, dialect, { client }).map((f) => f.category);
    if (category === null) expect(got).toEqual([]);
    else expect(got).toContain(category);
  });

  it('covers every corpus line that mentions a database client', () => {
    const file = fileURLToPath(new URL('../../../test/fixtures/corpus/intent-public.jsonl', import.meta.url));
    const ids = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /\b(psql|mysql|sqlite3|clickhouse)/.test(l))
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBeGreaterThan(20);
    const covered = new Set([...CASES.map((c) => c.id), ...NO_SQL]);
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
  });
});
