/** Datastore clients. For SQL clients this side decides WHEN text is SQL (-c/-e/--query, -f -,
 * here-docs, here-strings, pipes) and hands it to src/intent/sql/; a client with no SQL and no
 * stdin is interactive. Non-SQL stores (Redis, MongoDB, Cassandra, Kafka, etcd) are judged here. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';
import { has, parseArgs, value } from '../invocation.js';
import { UNKNOWN } from '../types.js';
import type { SqlClient, SqlDialect } from '../sqlbridge.js';
import { stdinCode } from './shells.js';
import { judgeWrite } from './redirects.js';
import type { RuleTable } from './table.js';

function collect(inv: Invocation, names: readonly string[]): string[] {
  const out: string[] = [];
  inv.args.forEach((a, i) => {
    for (const n of names) {
      if (a === n && inv.args[i + 1] !== undefined) out.push(inv.args[i + 1] as string);
      else if (n.startsWith('--') && a.startsWith(`${n}=`)) out.push(a.slice(n.length + 1));
      else if (!n.startsWith('--') && a.startsWith(n) && a.length > n.length && n.length === 2 && !a.startsWith('--')) out.push(a.slice(2));
    }
  });
  return out;
}

function sqlText(j: Judge, inv: Invocation, text: string, dialect: SqlDialect, client: SqlClient): void {
  if (text.includes(UNKNOWN)) {
    j.emit(inv, 'evasion', 'high', `${inv.name} runs SQL that is only known at run time`);
    return;
  }
  j.sql(text, dialect, client, inv);
}

/** SQL from files (-f FILE) or stdin; false when there is none (interactive client). */
function sqlFromInput(j: Judge, inv: Invocation, files: string[], dialect: SqlDialect, client: SqlClient): boolean {
  for (const f of files) {
    if (f === '-') continue;
    const t = j.written.has(f) ? undefined : j.scope.readFile?.(j.absolute(f));
    if (t === undefined) j.emit(inv, 'evasion', 'high', `${inv.name} runs SQL from ${f}, which cannot be read and analysed`, { paths: [f] });
    else sqlText(j, inv, t, dialect, client);
  }
  const wantsStdin = files.includes('-') || files.length === 0;
  if (!wantsStdin) return true;
  if (inv.stdin.kind === 'tty') return files.length > 0;
  if (inv.stdin.kind === 'text' || inv.stdin.kind === 'pipe') j.emit(inv, 'evasion', 'medium', `${inv.name} reads SQL fed on stdin rather than given as an argument`);
  const t = stdinCode(j, inv, `${inv.name} runs SQL read`);
  if (t !== undefined) sqlText(j, inv, t, dialect, client);
  return true;
}

function psql(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-c', '--command', '-d', '--dbname', '-f', '--file', '-h', '--host', '-p', '--port', '-U', '--username', '-v', '--set', '--variable', '-o', '--output', '-L', '--log-file', '-F', '-R', '-P', '--pset', '-T'] });
  if (has(p, '-l', '--list', '-V', '--version', '--help')) return;
  const out = value(p, '-o', '--output');
  if (out !== undefined) judgeWrite(j, inv, out, 'truncate');
  const cmds = collect(inv, ['-c', '--command']);
  for (const c of cmds) sqlText(j, inv, c, 'postgres', 'psql');
  const files = collect(inv, ['-f', '--file']);
  if (cmds.length > 0 && files.length === 0) return;
  if (!sqlFromInput(j, inv, files, 'postgres', 'psql')) j.interactive.add('psql');
}

function mysql(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-e', '--execute', '-D', '--database', '-h', '--host', '-u', '--user', '-P', '--port', '-S', '--socket', '--defaults-file', '--init-command'] });
  if (has(p, '-V', '--version', '--help')) return;
  const cmds = collect(inv, ['-e', '--execute', '--init-command']);
  for (const c of cmds) sqlText(j, inv, c, 'mysql', 'mysql');
  if (cmds.length > 0) return;
  if (!sqlFromInput(j, inv, [], 'mysql', 'mysql')) j.interactive.add(inv.name);
}

const SQLITE_SAFE_DOT = /^\.(?:tables|table|schema|fullschema|indexes|indices|headers?|mode|databases|show|help|timer|width|nullvalue|separator|quit|exit|stats|dbinfo|eqp|explain|print|changes|bail|echo|lint|dump|expert|prompt|parameter|limits?|scanstats|version)\b/;

function sqliteText(j: Judge, inv: Invocation, text: string): void {
  const sql: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('.')) {
      sql.push(line);
      continue;
    }
    if (SQLITE_SAFE_DOT.test(t)) continue;
    const m = /^\.(shell|system|once|output|read|import|restore|clone|save|backup|load|open|cd)\b\s*(.*)$/.exec(t);
    const cmd = m?.[1];
    const arg = (m?.[2] ?? '').replace(/^['"]|['"]$/g, '');
    if (cmd === 'shell' || cmd === 'system') {
      j.emit(inv, 'evasion', 'high', `sqlite3 .${cmd} runs a shell command`);
      j.shell(arg, inv, `sqlite3 .${cmd}`);
    } else if ((cmd === 'once' || cmd === 'output' || cmd === 'read') && arg.startsWith('|')) {
      j.emit(inv, 'evasion', 'high', `sqlite3 .${cmd} pipes through a shell command`);
      j.shell(arg.slice(1), inv, `sqlite3 .${cmd}`);
    } else if (cmd === 'once' || cmd === 'output' || cmd === 'save' || cmd === 'backup') {
      judgeWrite(j, inv, arg.split(/\s+/).pop() ?? arg, 'truncate');
    } else if (cmd === 'restore') {
      j.emit(inv, 'destroy.database', 'high', 'sqlite3 .restore replaces the database contents');
    } else if (cmd === 'read') {
      j.emit(inv, 'evasion', 'medium', `sqlite3 .read runs SQL from ${arg}, which is not analysed`);
    } else if (cmd === 'import' || cmd === 'open' || cmd === 'cd') {
      continue;
    } else {
      j.emit(inv, 'evasion', 'medium', `sqlite3 dot-command ${t.split(/\s/)[0] ?? t} is not analysed`);
    }
  }
  const s = sql.join('\n');
  if (s.trim() !== '') sqlText(j, inv, s, 'sqlite', 'sqlite3');
}

function sqlite(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-cmd', '-init', '-separator', '-newline', '-nullvalue', '-vfs', '-mmap', '-pagecache', '-lookaside', '-maxsize', '-heap'] });
  if (inv.args.includes('-version') || inv.args.includes('-help')) return;
  const cmds = collect(inv, ['-cmd']);
  const [db, ...rest] = p.positionals;
  void db;
  for (const c of [...cmds, ...rest]) sqliteText(j, inv, c);
  const init = inv.args[inv.args.indexOf('-init') + 1];
  if (inv.args.includes('-init') && init !== undefined) j.emit(inv, 'evasion', 'medium', `sqlite3 -init runs ${init}, which is not analysed`);
  if (rest.length > 0) return;
  if (inv.stdin.kind === 'tty') {
    if (cmds.length === 0) j.interactive.add('sqlite3');
    return;
  }
  const t = stdinCode(j, inv, 'sqlite3 runs SQL read');
  if (t !== undefined) sqliteText(j, inv, t);
}

function clickhouse(inv: Invocation, j: Judge): void {
  const args = inv.name === 'clickhouse' ? inv.args.slice(1) : inv.args;
  if (inv.name === 'clickhouse' && inv.args[0] !== 'client') return;
  const sub: Invocation = { ...inv, args };
  const qs = collect(sub, ['--query', '-q']);
  for (const q of qs) sqlText(j, inv, q, 'clickhouse', 'clickhouse-client');
  if (qs.length === 0 && !sqlFromInput(j, inv, [], 'clickhouse', 'clickhouse-client')) j.interactive.add('clickhouse-client');
}

/** Cassandra CQL: a small keyword judge (no CQL parser); anything unexpected is evasion. */
function cqlText(j: Judge, inv: Invocation, text: string): void {
  for (const stmt of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const u = stmt.toUpperCase();
    if (/^(DROP|TRUNCATE)\b/.test(u)) j.emit(inv, 'destroy.database', 'critical', `cqlsh ${stmt.slice(0, 60)}`, { sqlEffect: 'drop' });
    else if (/^ALTER\b.*\bDROP\b/.test(u)) j.emit(inv, 'destroy.database', 'high', `cqlsh ${stmt.slice(0, 60)}`, { sqlEffect: 'alter-drop' });
    else if (/^(SELECT|DESCRIBE|DESC|USE|SHOW|CONSISTENCY|TRACING|EXPAND|PAGING)\b/.test(u)) continue;
    else if (/^(DELETE|UPDATE|INSERT)\b/.test(u) && /\bWHERE\b/.test(u)) continue;
    else j.emit(inv, 'evasion', 'medium', `cqlsh statement not analysed: ${stmt.slice(0, 40)}`);
  }
}

const MONGO_READ = /^(find|findOne|count|countDocuments|estimatedDocumentCount|distinct|aggregate|getCollectionNames|getCollectionInfos|stats|getIndexes|explain|limit|sort|skip|pretty|toArray|forEach|map|hasNext|next|getName|getSiblingDB|getCollection|serverStatus|isMaster|hello|version|currentOp|printjson|print|log|itcount|size|length|listCollections|listDatabases|getMongo|getDBNames|rs|status|conf|printReplicationInfo|printSecondaryReplicationInfo|JSON|stringify|tojson|ping|adminCommand|runCommand|dbStats|db|collStats|getUsers)$/;

function mongoCode(j: Judge, inv: Invocation, code: string): void {
  if (code.includes(UNKNOWN)) {
    j.emit(inv, 'evasion', 'high', `${inv.name} runs code only known at run time`);
    return;
  }
  for (const m of code.matchAll(/\.\s*([A-Za-z_$][\w$]*)\s*\(\s*([^)]*)/g)) {
    const fn = m[1] ?? '';
    const arg = (m[2] ?? '').replace(/\s+/g, '');
    if (/^(drop|dropDatabase|dropIndex|dropIndexes|dropUser|dropAllUsers|dropRole)$/.test(fn)) {
      j.emit(inv, 'destroy.database', 'critical', `${inv.name} ${fn}() drops data`, { sqlEffect: 'drop' });
    } else if (/^(remove|deleteMany|deleteOne|updateMany|update|replaceOne|findAndModify|findOneAndDelete|bulkWrite)$/.test(fn)) {
      if (arg === '' || /^\{\}/.test(arg) || /^\{\s*\}/.test(arg)) j.emit(inv, 'bulk.delete', 'high', `${inv.name} ${fn}() with an empty filter touches every document`, { sqlEffect: 'delete-all' });
    } else if (/^(runCommand|adminCommand)$/.test(fn) && /drop|shutdown|delete/i.test(arg)) {
      j.emit(inv, 'destroy.database', 'high', `${inv.name} ${fn}(${arg.slice(0, 30)})`);
    } else if (fn === 'shutdownServer') {
      j.emit(inv, 'system.disrupt', 'high', `${inv.name} shuts the server down`);
    } else if (!MONGO_READ.test(fn) && !/^(insert|insertOne|insertMany|createIndex|updateOne)$/.test(fn)) {
      j.emit(inv, 'evasion', 'medium', `${inv.name} code calls ${fn}(), which is not analysed`);
    }
  }
  if (/\b(eval|load|require|Function|fromCharCode|atob)\s*\(/.test(code)) j.emit(inv, 'evasion', 'high', `${inv.name} code loads or builds code at run time`);
}

const REDIS_BAD: Record<string, [import('../../core/intent.js').IntentCategory, import('../../core/intent.js').Severity, string]> = {
  FLUSHALL: ['destroy.database', 'critical', 'deletes every key in every database'],
  FLUSHDB: ['destroy.database', 'critical', 'deletes every key in the database'],
  SHUTDOWN: ['system.disrupt', 'high', 'shuts the Redis server down'],
  DEBUG: ['system.disrupt', 'high', 'DEBUG can crash or stall the server'],
  CONFIG: ['persistence', 'medium', 'CONFIG SET can make Redis write files (a known takeover path)'],
  SLAVEOF: ['exfiltration', 'high', 'replicates the data set to another host'],
  REPLICAOF: ['exfiltration', 'high', 'replicates the data set to another host'],
  MIGRATE: ['exfiltration', 'high', 'moves keys to another host'],
  EVAL: ['evasion', 'high', 'runs a Lua script'],
  EVALSHA: ['evasion', 'high', 'runs a stored Lua script'],
  FCALL: ['evasion', 'high', 'runs a stored function'],
  FUNCTION: ['evasion', 'high', 'loads server-side functions'],
  SCRIPT: ['evasion', 'medium', 'manages server-side scripts'],
  MODULE: ['evasion', 'high', 'loads a native module into the server'],
  CLIENT: ['system.disrupt', 'low', 'manages client connections'],
  BGREWRITEAOF: ['system.disrupt', 'low', 'rewrites the append-only file'],
};

function redis(inv: Invocation, j: Judge): void {
  const p = parseArgs(inv.args, { valued: ['-h', '-p', '-s', '-a', '-u', '-n', '-r', '-i', '-d', '--user', '--pass', '--askpass', '--pattern', '--count', '--eval', '--rdb', '--functions-rdb', '--cacert', '--cert', '--key', '--tls-ciphers', '--sni'] }, true);
  if (value(p, '--eval') !== undefined) j.emit(inv, 'evasion', 'high', 'redis-cli --eval runs a Lua script file');
  if (value(p, '--rdb') !== undefined) j.emit(inv, 'exfiltration', 'medium', 'redis-cli --rdb dumps the whole data set to a file');
  if (has(p, '--pipe')) {
    const t = stdinCode(j, inv, 'redis-cli --pipe runs commands read');
    if (t !== undefined) for (const line of t.split('\n')) judgeRedisCommand(j, inv, line.trim().split(/\s+/), false);
    return;
  }
  const cmd = p.positionals;
  if (cmd.length === 0) {
    if (!has(p, '--scan', '--bigkeys', '--memkeys', '--stat', '--latency', '--hotkeys', '--version', '-v')) j.interactive.add('redis-cli');
    return;
  }
  judgeRedisCommand(j, inv, cmd, inv.path.some((x) => x.startsWith('xargs')) || has(p, '-x'));
}

function judgeRedisCommand(j: Judge, inv: Invocation, cmd: string[], argsFromInput: boolean): void {
  const name = (cmd[0] ?? '').toUpperCase();
  if (name.includes(UNKNOWN)) {
    j.emit(inv, 'evasion', 'high', 'redis-cli command only known at run time');
    return;
  }
  const bad = REDIS_BAD[name];
  if (bad !== undefined && !(name === 'CONFIG' && (cmd[1] ?? '').toUpperCase() !== 'SET') && !(name === 'CLIENT' && (cmd[1] ?? '').toUpperCase() !== 'KILL')) {
    j.emit(inv, bad[0], bad[1], `redis-cli ${name}: ${bad[2]}`);
  }
  if (/^(DEL|UNLINK|EXPIRE|PEXPIRE|HDEL|SREM|ZREM|ZREMRANGEBYSCORE|ZREMRANGEBYRANK|LTRIM)$/.test(name) && (argsFromInput || cmd.slice(1).some((k) => k.includes(UNKNOWN) || /[*?]/.test(k)))) {
    j.emit(inv, 'bulk.delete', 'high', `redis-cli ${name} on keys only known at run time (mass deletion)`);
  }
}

export const database: RuleTable = {
  psql,
  'mysql mariadb': mysql,
  'sqlite3 sqlite': sqlite,
  'clickhouse-client clickhouse': clickhouse,
  cqlsh(inv, j) {
    const e = collect(inv, ['-e', '--execute']);
    if (e.length > 0) for (const t of e) cqlText(j, inv, t);
    else if (inv.stdin.kind !== 'tty') {
      const t = stdinCode(j, inv, 'cqlsh runs CQL read');
      if (t !== undefined) cqlText(j, inv, t);
    } else if (collect(inv, ['-f', '--file']).length > 0) j.emit(inv, 'evasion', 'medium', 'cqlsh runs a CQL file that is not analysed');
    else j.interactive.add('cqlsh');
  },
  'mongo mongosh'(inv, j) {
    const evals = collect(inv, ['--eval']);
    for (const e of evals) mongoCode(j, inv, e);
    const files = parseArgs(inv.args, { valued: ['--eval', '--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '-f', '--file'] }).positionals.filter((x) => /\.js$/.test(x));
    for (const f of [...files, ...collect(inv, ['-f', '--file'])]) j.emit(inv, 'evasion', 'medium', `${inv.name} runs the script ${f}, which is not analysed`);
    if (evals.length > 0 || files.length > 0) return;
    if (inv.stdin.kind === 'tty') j.interactive.add(inv.name);
    else {
      const t = stdinCode(j, inv, `${inv.name} runs code read`);
      if (t !== undefined) mongoCode(j, inv, t);
    }
  },
  'redis-cli valkey-cli keydb-cli': redis,
  'dropdb dropuser'(inv, j) {
    if (inv.args.some((a) => a === '--help' || a === '--version' || a === '-V')) return;
    j.emit(inv, 'destroy.database', 'critical', `${inv.name} ${inv.args.filter((a) => !a.startsWith('-')).join(' ')} deletes a ${inv.name === 'dropdb' ? 'database' : 'role'}`);
  },
  mysqladmin(inv, j) {
    const a = inv.args.map((x) => x.toLowerCase());
    if (a.includes('drop')) j.emit(inv, 'destroy.database', 'critical', 'mysqladmin drop deletes a database');
    if (a.includes('shutdown')) j.emit(inv, 'system.disrupt', 'high', 'mysqladmin shutdown stops the server');
  },
  pg_restore(inv, j) {
    if (inv.args.some((a) => /^(-c|--clean|-[a-zA-Z]*c[a-zA-Z]*)$/.test(a))) j.emit(inv, 'destroy.database', 'high', 'pg_restore --clean drops objects before restoring');
  },
  'kafka-topics kafka-topics.sh kafka-consumer-groups kafka-consumer-groups.sh kafka-delete-records kafka-delete-records.sh'(inv, j) {
    if (inv.name.startsWith('kafka-delete-records')) j.emit(inv, 'bulk.delete', 'high', 'kafka-delete-records deletes records from topics');
    else if (inv.args.includes('--delete')) j.emit(inv, 'destroy.database', 'critical', `${inv.name} --delete deletes ${inv.name.includes('topic') ? 'topics' : 'consumer groups'}`);
    else if (inv.args.includes('--reset-offsets') && inv.args.includes('--execute')) j.emit(inv, 'destroy.database', 'medium', 'resets consumer offsets');
  },
  etcdctl(inv, j) {
    if (inv.args.includes('del') && inv.args.some((a) => a === '--prefix' || a === '--from-key')) j.emit(inv, 'bulk.delete', 'critical', 'etcdctl del --prefix deletes a key range');
    else if (inv.args.includes('del')) j.emit(inv, 'destroy.database', 'medium', 'etcdctl del deletes keys');
  },
};
