import type { IntentCategory, Severity } from '../../core/index.js';
import type { SqlDialect, SqlFinding } from './finding.js';
import { finding } from './finding.js';

/** What calling a built-in function does, when it matters to a policy. */
export interface FunctionRule {
  category: IntentCategory;
  severity: Severity;
  effect: string;
  what: string;
  /** Only in these dialects (a ClickHouse table function `url()` is a user function elsewhere). */
  dialects?: readonly SqlDialect[];
  /** Which argument is SQL text that the function runs: judged as SQL when it is a literal. */
  sqlArg?: 'first' | 'dblink';
}

const CH: readonly SqlDialect[] = ['clickhouse', 'generic'];

const FUNCTIONS: Record<string, FunctionRule> = {
  pg_read_file: { category: 'secrets.read', severity: 'high', effect: 'read-server-file', what: 'reads a file on the database server' },
  pg_read_binary_file: { category: 'secrets.read', severity: 'high', effect: 'read-server-file', what: 'reads a file on the database server' },
  lo_import: { category: 'secrets.read', severity: 'high', effect: 'read-server-file', what: 'reads a server file into a large object' },
  lo_export: { category: 'exfiltration', severity: 'medium', effect: 'write-server-file', what: 'writes a large object to a file on the database server' },
  pg_file_write: { category: 'evasion', severity: 'high', effect: 'write-server-file', what: 'writes a file on the database server' },
  pg_file_unlink: { category: 'destroy.filesystem', severity: 'high', effect: 'unlink-server-file', what: 'deletes a file on the database server' },
  pg_file_rename: { category: 'destroy.filesystem', severity: 'medium', effect: 'rename-server-file', what: 'renames a file on the database server' },
  pg_terminate_backend: { category: 'system.disrupt', severity: 'high', effect: 'terminate-backend', what: 'kills database sessions' },
  pg_cancel_backend: { category: 'system.disrupt', severity: 'medium', effect: 'cancel-backend', what: 'cancels running queries of other sessions' },
  pg_reload_conf: { category: 'system.disrupt', severity: 'medium', effect: 'reload-config', what: 'reloads the server configuration' },
  pg_promote: { category: 'system.disrupt', severity: 'high', effect: 'promote', what: 'promotes a standby server' },
  pg_drop_replication_slot: { category: 'system.disrupt', severity: 'high', effect: 'drop-replication-slot', what: 'drops a replication slot' },
  dblink: { category: 'exfiltration', severity: 'medium', effect: 'dblink', what: 'runs SQL on another server', sqlArg: 'dblink' },
  dblink_exec: { category: 'exfiltration', severity: 'medium', effect: 'dblink', what: 'runs SQL on another server', sqlArg: 'dblink' },
  dblink_send_query: { category: 'exfiltration', severity: 'medium', effect: 'dblink', what: 'runs SQL on another server', sqlArg: 'dblink' },
  query_to_xml: { category: 'evasion', severity: 'low', effect: 'dynamic-sql', what: 'runs SQL given as text', sqlArg: 'first' },
  query_to_xmlschema: { category: 'evasion', severity: 'low', effect: 'dynamic-sql', what: 'runs SQL given as text', sqlArg: 'first' },
  query_to_xml_and_xmlschema: { category: 'evasion', severity: 'low', effect: 'dynamic-sql', what: 'runs SQL given as text', sqlArg: 'first' },
  execute_prepared_stmt: { category: 'evasion', severity: 'low', effect: 'dynamic-sql', what: 'runs SQL given as text', sqlArg: 'first' },
  load_file: { category: 'secrets.read', severity: 'high', effect: 'read-server-file', what: 'reads a file on the database server' },
  sys_exec: { category: 'evasion', severity: 'critical', effect: 'shell-exec', what: 'runs a shell command on the database server' },
  sys_eval: { category: 'evasion', severity: 'critical', effect: 'shell-exec', what: 'runs a shell command on the database server' },
  xp_cmdshell: { category: 'evasion', severity: 'critical', effect: 'shell-exec', what: 'runs a shell command on the database server' },
  load_extension: { category: 'evasion', severity: 'critical', effect: 'load-extension', what: 'loads native code into the database' },
  readfile: { category: 'secrets.read', severity: 'high', effect: 'read-file', what: 'reads a file', dialects: ['sqlite', 'generic'] },
  writefile: { category: 'evasion', severity: 'high', effect: 'write-file', what: 'writes a file from SQL, outside the shell judge', dialects: ['sqlite', 'generic'] },
  edit: { category: 'evasion', severity: 'medium', effect: 'editor', what: 'opens an editor', dialects: ['sqlite', 'generic'] },
  file: { category: 'secrets.read', severity: 'high', effect: 'read-server-file', what: 'reads files on the server', dialects: CH },
  executable: { category: 'evasion', severity: 'critical', effect: 'shell-exec', what: 'runs a program on the server', dialects: CH },
};

const REMOTE_TABLE_FUNCTIONS = [
  'url', 's3', 's3cluster', 'hdfs', 'remote', 'remotesecure', 'cluster', 'clusterallreplicas', 'mysql',
  'postgresql', 'azureblobstorage', 'gcs', 'jdbc', 'odbc', 'mongodb', 'redis', 'urlcluster',
];
for (const name of REMOTE_TABLE_FUNCTIONS) {
  FUNCTIONS[name] = { category: 'exfiltration', severity: 'medium', effect: 'remote-table-function', what: 'reads or writes data on another host', dialects: CH };
}

/** The rule for a (possibly schema-qualified) function name in a dialect. */
export function functionRule(qualified: string, dialect: SqlDialect): FunctionRule | undefined {
  const name = qualified.split('.').pop()!.toLowerCase();
  const rule = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!rule) return undefined;
  if (rule.dialects && !rule.dialects.includes(dialect)) return undefined;
  return rule;
}

export function functionFinding(name: string, rule: FunctionRule): SqlFinding {
  return finding(rule.category, rule.severity, rule.effect, `${name}() ${rule.what}`);
}

const OFF = new Set(['0', 'off', 'false', 'no', 'f', 'n']);
const ON = new Set(['1', 'on', 'true', 'yes', 't', 'y']);
const isOff = (v: string | null): boolean => v !== null && OFF.has(v.toLowerCase());
const isOn = (v: string | null): boolean => v !== null && ON.has(v.toLowerCase());

interface SettingRule {
  when: (value: string | null) => boolean;
  category: IntentCategory;
  severity: Severity;
  effect: string;
  what: string;
}

const SETTINGS: Record<string, SettingRule> = {
  role: { when: (v) => v !== null && !['none', 'default'].includes(v.toLowerCase()), category: 'privilege.escalation', severity: 'medium', effect: 'set-role', what: 'switches to the rights of another role' },
  session_authorization: { when: (v) => v !== null && v.toLowerCase() !== 'default', category: 'privilege.escalation', severity: 'high', effect: 'set-role', what: 'acts as another user' },
  sql_safe_updates: { when: isOff, category: 'evasion', severity: 'medium', effect: 'disable-safe-updates', what: 'turns off the server guard against WHERE-less DELETE/UPDATE' },
  sql_log_bin: { when: isOff, category: 'audit.tamper', severity: 'high', effect: 'disable-binlog', what: 'stops binary logging of this session' },
  general_log: { when: isOff, category: 'audit.tamper', severity: 'high', effect: 'disable-log', what: 'turns off the general query log' },
  slow_query_log: { when: isOff, category: 'audit.tamper', severity: 'medium', effect: 'disable-log', what: 'turns off the slow query log' },
  general_log_file: { when: () => true, category: 'audit.tamper', severity: 'medium', effect: 'redirect-log', what: 'moves the query log' },
  log_statement: { when: (v) => v?.toLowerCase() === 'none', category: 'audit.tamper', severity: 'medium', effect: 'disable-log', what: 'stops statement logging' },
  log_connections: { when: isOff, category: 'audit.tamper', severity: 'medium', effect: 'disable-log', what: 'stops connection logging' },
  session_replication_role: { when: (v) => v?.toLowerCase() === 'replica', category: 'evasion', severity: 'high', effect: 'disable-triggers', what: 'disables triggers and foreign-key checks' },
  foreign_key_checks: { when: isOff, category: 'evasion', severity: 'low', effect: 'disable-fk-checks', what: 'disables foreign-key checks' },
  default_transaction_read_only: { when: isOff, category: 'evasion', severity: 'medium', effect: 'leave-read-only', what: 'leaves read-only mode' },
  transaction_read_only: { when: isOff, category: 'evasion', severity: 'medium', effect: 'leave-read-only', what: 'leaves read-only mode' },
  read_only: { when: isOff, category: 'system.disrupt', severity: 'high', effect: 'leave-read-only', what: 'makes a read-only server writable' },
  super_read_only: { when: isOff, category: 'system.disrupt', severity: 'high', effect: 'leave-read-only', what: 'makes a read-only server writable' },
  local_infile: { when: isOn, category: 'evasion', severity: 'medium', effect: 'enable-local-infile', what: 'allows reading client files into the database' },
  shared_preload_libraries: { when: () => true, category: 'evasion', severity: 'high', effect: 'preload-library', what: 'loads native libraries into the server' },
  session_preload_libraries: { when: () => true, category: 'evasion', severity: 'high', effect: 'preload-library', what: 'loads native libraries into sessions' },
  local_preload_libraries: { when: () => true, category: 'evasion', severity: 'high', effect: 'preload-library', what: 'loads native libraries into sessions' },
  archive_command: { when: () => true, category: 'evasion', severity: 'critical', effect: 'server-shell-command', what: 'sets a shell command the server runs' },
  restore_command: { when: () => true, category: 'evasion', severity: 'critical', effect: 'server-shell-command', what: 'sets a shell command the server runs' },
  ssl_passphrase_command: { when: () => true, category: 'evasion', severity: 'critical', effect: 'server-shell-command', what: 'sets a shell command the server runs' },
};

/** Findings for setting a server variable. `scope` "global" is MySQL SET GLOBAL/PERSIST. */
export function settingFindings(rawName: string, value: string | null, scope: 'session' | 'global'): SqlFinding[] {
  const name = rawName
    .toLowerCase()
    .replace(/^@@/, '')
    .replace(/^(global|session|local|persist|persist_only)\./, '');
  const out: SqlFinding[] = [];
  if (name.startsWith('pgaudit.')) {
    out.push(finding('audit.tamper', 'high', 'pgaudit', `SET ${name} changes what pgaudit records`));
  } else if (Object.hasOwn(SETTINGS, name) && SETTINGS[name]!.when(value)) {
    const r = SETTINGS[name]!;
    out.push(finding(r.category, r.severity, r.effect, `SET ${name}${value === null ? '' : ` = ${value}`} ${r.what}`));
  }
  if (scope === 'global' && out.length === 0) {
    out.push(finding('system.disrupt', 'medium', 'server-setting', `SET GLOBAL ${name} changes the server for every session`));
  }
  return out;
}
