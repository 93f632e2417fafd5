import type { JudgeContext } from './context.js';
import type { SqlFinding } from './finding.js';
import { finding, unanalysable } from './finding.js';
import type { Token } from './lexer.js';
import { functionFinding, functionRule, settingFindings } from './rules.js';

/**
 * The last resort for statements no parser accepted (MySQL admin statements node-sql-parser lacks,
 * ClickHouse syntax): a small closed grammar of statement families read from tokens. A family it
 * does not know returns null, and the judge reports the statement as unparsed (fail closed).
 */
/** Words that, outside a function call, would make read-shaped text write or run something. */
const WRITE_WORDS = new Set(['DELETE', 'UPDATE', 'INSERT', 'REPLACE', 'DROP', 'TRUNCATE', 'ALTER', 'CREATE', 'GRANT', 'MERGE', 'COPY', 'CALL', 'EXECUTE', 'OUTFILE', 'DUMPFILE']);
const CH_ENGINES_EXEC = new Set(['EXECUTABLE', 'EXECUTABLEPOOL']);
const CH_ENGINES_REMOTE = new Set(['URL', 'S3', 'HDFS', 'MYSQL', 'POSTGRESQL', 'KAFKA', 'JDBC', 'ODBC', 'MONGODB', 'REDIS', 'AZUREBLOBSTORAGE']);

function upper(t: Token | undefined): string {
  return t && t.kind === 'word' ? t.value.toUpperCase() : '';
}

/** A possibly qualified object name starting at `i`, skipping IF [NOT] EXISTS. */
function nameAt(toks: Token[], i: number): [string, number] {
  while (['IF', 'NOT', 'EXISTS', 'TEMPORARY', 'TABLE', 'ONLY'].includes(upper(toks[i]))) i++;
  const parts: string[] = [];
  while (toks[i] && (toks[i]!.kind === 'word' || toks[i]!.kind === 'ident')) {
    parts.push(toks[i]!.value);
    if (toks[i + 1]?.value !== '.') {
      i++;
      break;
    }
    i += 2;
  }
  return [parts.join('.'), i];
}

/** Calls of known dangerous functions and INTO OUTFILE, found from tokens. */
function tokenScan(toks: Token[], ctx: JudgeContext): SqlFinding[] {
  const out: SqlFinding[] = [];
  toks.forEach((t, i) => {
    if (t.kind === 'word' && toks[i + 1]?.value === '(') {
      const rule = functionRule(t.value, ctx.dialect);
      if (rule) out.push(functionFinding(t.value, rule));
    }
    const u = upper(t);
    if ((u === 'OUTFILE' || u === 'DUMPFILE') && upper(toks[i - 1]) === 'INTO') {
      out.push(finding('exfiltration', 'high', 'into-outfile', `SELECT ... INTO ${u} writes query results to a file`));
    }
    if (u === 'ENGINE' && toks[i + 1]?.value === '=') {
      const engine = upper(toks[i + 2]);
      if (CH_ENGINES_EXEC.has(engine)) out.push(unanalysable('shell-exec', `a table with ENGINE = ${engine} runs a program on the server`, 'critical'));
      if (CH_ENGINES_REMOTE.has(engine)) out.push(finding('exfiltration', 'medium', 'remote-table-engine', `a table with ENGINE = ${engine} moves data to or from another host`));
    }
  });
  return out;
}

function alterTable(text: string, toks: Token[], ctx: JudgeContext): SqlFinding[] {
  const [table, after] = nameAt(toks, 2);
  let i = after;
  if (upper(toks[i]) === 'ON' && upper(toks[i + 1]) === 'CLUSTER') i += 3;
  const out: SqlFinding[] = [];
  const action = upper(toks[i]);
  if (action === 'DELETE' || action === 'UPDATE') {
    // ClickHouse mutations: judged as the equivalent DELETE/UPDATE so the WHERE is analysed.
    const rest = text.slice(toks[i]!.end);
    const sql = action === 'DELETE' ? `DELETE FROM ${table} ${rest}` : `UPDATE ${table} SET ${rest}`;
    return ctx.nested(sql);
  }
  let depth = 0;
  for (let j = i; j < toks.length; j++) {
    const v = toks[j]!.value;
    if (v === '(') depth++;
    if (v === ')') depth--;
    const atActionStart = j === i || (depth === 0 && toks[j - 1]?.value === ',');
    if (!atActionStart) continue;
    const a = upper(toks[j]);
    const what = upper(toks[j + 1]);
    if (a === 'DROP' || a === 'CLEAR' || a === 'DISCARD' || a === 'TRUNCATE') {
      const severe = ['COLUMN', 'PARTITION', 'PART', 'TABLESPACE', 'DETACHED'].includes(what) || a === 'CLEAR';
      out.push(finding('destroy.database', severe ? 'high' : 'medium', 'alter-drop', `ALTER TABLE ${table} ${a} ${what}`, [table]));
    } else if (a === 'DETACH') {
      out.push(finding('destroy.database', 'medium', 'alter-drop', `ALTER TABLE ${table} DETACH ${what}`, [table]));
    } else if (a === 'MODIFY' && what === 'TTL') {
      out.push(finding('bulk.delete', 'medium', 'ttl', `ALTER TABLE ${table} MODIFY TTL deletes rows as they expire`, [table]));
    }
  }
  return out;
}

function setStatement(toks: Token[]): SqlFinding[] {
  const out: SqlFinding[] = [];
  let scope: 'session' | 'global' = 'session';
  let name = '';
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]!;
    const u = upper(t);
    if (name === '' && (u === 'GLOBAL' || u === 'PERSIST' || u === 'PERSIST_ONLY')) scope = 'global';
    else if (t.value === '=' || (t.value === ':' && toks[i + 1]?.value === '=')) {
      if (t.value === ':') i++;
      const v = toks[i + 1];
      out.push(...settingFindings(name, v ? v.value : null, /^@@(global|persist)/i.test(name) ? 'global' : scope));
      name = '';
      while (i < toks.length && toks[i]!.value !== ',') i++;
    } else if (!['SESSION', 'LOCAL'].includes(u)) {
      name += t.value;
    }
  }
  return out;
}

/** Findings for a statement no parser accepted, or null when its family is unknown. */
export function classifyTokens(text: string, toks: Token[], ctx: JudgeContext): SqlFinding[] | null {
  const w0 = upper(toks[0]);
  const w1 = upper(toks[1]);
  const words = new Set(toks.map(upper).filter(Boolean));
  const scan = (): SqlFinding[] => tokenScan(toks, ctx);
  const with_ = (fs: SqlFinding[]): SqlFinding[] => [...fs, ...scan()];
  switch (w0) {
    case 'SHOW': case 'DESCRIBE': case 'USE': case 'HELP': case 'EXISTS': case 'CHECK': case 'ANALYZE':
    case 'OPTIMIZE': case 'BEGIN': case 'START': case 'COMMIT': case 'ROLLBACK': case 'LOCK': case 'UNLOCK':
    case 'REVOKE': case 'EXECUTE': case 'DEALLOCATE': case 'HANDLER': case 'RENAME': case 'VACUUM':
    case 'WATCH': case 'FLUSH': case 'XA': case 'SAVEPOINT': case 'RELEASE': case 'CHECKSUM': case 'CACHE':
      return scan();
    case 'DESC':
    case 'EXPLAIN':
      return w1 === 'ANALYZE' ? with_(ctx.nested(text.slice(toks[1]!.end))) : scan();
    case 'SELECT':
    case 'WITH':
    case 'INSERT':
      // Read-shaped text that only failed on dialect syntax (FORMAT, SETTINGS, FINAL...): accepted
      // when no word in it could write, drop or run anything.
      if (w0 !== 'INSERT' && toks.some((t, i) => WRITE_WORDS.has(upper(t)) && toks[i + 1]?.value !== '(')) return null;
      return scan();
    case 'DROP': {
      const kind = w1 === 'TEMPORARY' ? upper(toks[2]) : w1;
      if (kind === 'USER' || kind === 'ROLE') return with_([finding('system.disrupt', 'medium', 'drop-role', `DROP ${kind} removes database accounts`)]);
      const [name] = nameAt(toks, kind === w1 ? 2 : 3);
      const critical = ['DATABASE', 'SCHEMA', 'TABLE'].includes(kind);
      return with_([finding('destroy.database', critical ? 'critical' : 'high', 'drop', `DROP ${kind} ${name}`, name ? [name] : [])]);
    }
    case 'TRUNCATE': {
      const [name] = nameAt(toks, 1);
      return with_([finding('destroy.database', 'critical', 'truncate', `TRUNCATE empties ${name}`, name ? [name] : [])]);
    }
    case 'DETACH':
      if (ctx.dialect === 'sqlite') return scan();
      return with_([words.has('PERMANENTLY')
        ? finding('destroy.database', 'high', 'detach', 'DETACH ... PERMANENTLY removes a table from the server')
        : finding('system.disrupt', 'high', 'detach', 'DETACH takes a table or database offline')]);
    case 'ALTER':
      if (w1 === 'TABLE') return with_(alterTable(text, toks, ctx));
      if (w1 === 'USER' || w1 === 'ROLE') {
        if (words.has('SUPERUSER') || words.has('CREATEROLE') || words.has('BYPASSRLS')) return with_([finding('privilege.escalation', 'critical', 'alter-role-privilege', 'ALTER USER grants superuser-like rights')]);
        if (words.has('IDENTIFIED') || words.has('PASSWORD')) return with_([finding('persistence', 'medium', 'set-password', 'ALTER USER sets a credential')]);
        return with_([finding('privilege.escalation', 'medium', 'alter-role', 'ALTER USER changes an account')]);
      }
      return ['DATABASE', 'VIEW', 'INDEX', 'EVENT'].includes(w1) ? scan() : null;
    case 'CREATE':
      if (w1 === 'USER' || w1 === 'ROLE') return with_([finding('persistence', 'high', 'create-role', `CREATE ${w1} adds a database account`)]);
      if (words.has('TRIGGER')) return with_([finding('persistence', 'medium', 'trigger', 'CREATE TRIGGER runs code on later writes')]);
      return ['TABLE', 'DATABASE', 'VIEW', 'INDEX', 'DICTIONARY', 'TEMPORARY', 'MATERIALIZED', 'OR'].includes(w1) && !words.has('FUNCTION') && !words.has('PROCEDURE') ? scan() : null;
    case 'GRANT': {
      const critical = ['SUPER', 'FILE', 'PROCESS', 'SHUTDOWN'].some((p) => words.has(p));
      const all = words.has('ALL');
      return with_([finding('privilege.escalation', critical ? 'critical' : all ? 'high' : 'medium', all ? 'grant-all' : 'grant', 'GRANT privileges')]);
    }
    case 'KILL':
      return with_([finding('system.disrupt', 'high', 'kill', 'KILL ends another session or query')]);
    case 'SHUTDOWN':
    case 'RESTART':
      return with_([finding('system.disrupt', 'critical', 'shutdown', `${w0} stops the database server`)]);
    case 'SYSTEM': {
      if (w1 === 'SHUTDOWN' || w1 === 'KILL') return [finding('system.disrupt', 'critical', 'shutdown', `SYSTEM ${w1} stops the server`)];
      if (['STOP', 'START', 'RESTART', 'SYNC', 'UNFREEZE', 'DISABLE', 'ENABLE'].includes(w1) || (w1 === 'DROP' && words.has('REPLICA'))) {
        return [finding('system.disrupt', 'high', 'system', `SYSTEM ${w1} changes server operation`)];
      }
      return w1 === 'FLUSH' || w1 === 'RELOAD' || (w1 === 'DROP' && words.has('CACHE')) ? [] : null;
    }
    case 'INSTALL':
      return [unanalysable('install-plugin', `INSTALL ${w1} loads code into the server`)];
    case 'UNINSTALL':
      return [finding('system.disrupt', 'medium', 'uninstall-plugin', `UNINSTALL ${w1} removes server code`)];
    case 'RESET':
    case 'PURGE':
      if (words.has('MASTER') || words.has('BINARY') || words.has('LOGS')) return [finding('audit.tamper', 'high', 'purge-binlog', `${w0} ${w1} deletes binary logs`)];
      return [];
    case 'STOP':
    case 'CHANGE':
      return [finding('system.disrupt', 'high', 'replication', `${w0} ${w1} changes replication`)];
    case 'LOAD':
      return with_([finding('secrets.read', 'high', 'load-data-infile', 'LOAD DATA INFILE reads a file into a table')]);
    case 'PREPARE': {
      const from = toks.findIndex((t) => upper(t) === 'FROM');
      const src = from >= 0 ? toks[from + 1] : undefined;
      if (src?.kind === 'string' && from === toks.length - 2) return ctx.nested(src.value);
      return [unanalysable('dynamic-sql', 'PREPARE from SQL built at run time')];
    }
    case 'SET':
      return with_(setStatement(toks));
    case 'PRAGMA':
      return /writable_schema|trusted_schema/i.test(text) && text.includes('=')
        ? [unanalysable('pragma', 'PRAGMA that turns off schema protection', 'medium')]
        : [];
    default:
      return null;
  }
}
