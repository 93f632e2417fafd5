/**
 * intent/sql: SQL judged as SQL (DESIGN.md invariant 4).
 *
 * Purpose: turn SQL text handed to a database client (psql, mysql, sqlite3, clickhouse-client) into
 * findings: what the statements would do, worst effect over the whole statement tree (CTEs,
 * subqueries, EXPLAIN ANALYZE, MERGE, PREPARE bodies, DO blocks, dynamic SQL with literal text),
 * plus what the client itself would do (psql `\!`, backquotes, `\o |cmd`, sqlite3 `.shell`,
 * mysql `system`). Postgres is read by libpg-query (the server's own grammar, WASM); MySQL by
 * node-sql-parser; a small token grammar covers admin statements and ClickHouse syntax neither
 * knows. An empty result means read-only or harmless.
 *
 * Trust boundary: the input is attacker-controlled text. Nothing here executes it; analyzeSql is
 * synchronous, pure and never throws. Anything not understood fails closed as an `evasion` finding
 * ("SQL could not be parsed", "SQL parser not loaded", dynamic SQL built at run time).
 *
 * Known limits: the judge sees only this text, not the server: stored procedures, triggers, views
 * and functions defined earlier run unseen (their creation is judged when it happens); EXECUTE of a
 * statement prepared in an earlier session is not followed; MySQL executable comments are assumed to
 * run whatever the server version; a WHERE is "narrowing" unless provably true for every row
 * (`id > 0` passes). See docs/judge-sql.md.
 */
export type { SqlClient, SqlDialect, SqlFinding } from './finding.js';
export { analyzeSql, initSql, MAX_NESTING, MAX_SQL_LENGTH, MAX_STATEMENTS } from './judge.js';
export { SqlParserLoadError } from './errors.js';
