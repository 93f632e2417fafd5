import { loadModule, parseSync } from 'libpg-query';
import type { Severity } from '../../core/index.js';
import { matchesEveryRow } from './condition.js';
import type { JudgeContext, Node } from './context.js';
import { asArray, asNode } from './context.js';
import type { SqlFinding } from './finding.js';
import { finding, unanalysable } from './finding.js';
import { constOf, foldString, namesOf, pgCond, stringOf, tagOf } from './pgcond.js';
import { functionFinding, functionRule, settingFindings } from './rules.js';

let ready = false;

export async function loadPostgres(): Promise<void> {
  await loadModule();
  ready = true;
}

export function postgresReady(): boolean {
  return ready;
}

/** The statement nodes of `text`, or null when the Postgres grammar rejects it. */
export function parsePostgres(text: string): unknown[] | null {
  try {
    const res = parseSync(text) as unknown as { stmts?: { stmt?: unknown }[] };
    return asArray(res.stmts).map((s) => asNode(s)?.stmt);
  } catch {
    return null;
  }
}

function relName(x: unknown): string {
  const rv = asNode(x);
  if (!rv) return '';
  const inner = asNode(rv.RangeVar) ?? rv;
  return [inner.schemaname, inner.relname].filter((s) => typeof s === 'string').join('.');
}

const UNTRUSTED_LANGUAGES = new Set(['plpython3u', 'plpythonu', 'plpython2u', 'plperlu', 'pltclu', 'plsh', 'c', 'internal', 'plrust', 'pljava']);
const PRIVILEGED_ROLE_OPTIONS = new Set(['superuser', 'createrole', 'bypassrls', 'replication']);
const POWERFUL_ROLES = /^(pg_execute_server_program|pg_read_server_files|pg_write_server_files|pg_signal_backend|pg_signal_autovacuum_worker|pg_checkpoint|pg_create_subscription|rds_superuser|azure_pg_admin|cloudsqlsuperuser|postgres)$/;
const CRITICAL_DROPS = new Set(['OBJECT_TABLE', 'OBJECT_SCHEMA', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_DATABASE']);

function defElems(list: unknown): [string, unknown][] {
  return asArray(list).flatMap((x) => {
    const d = asNode(asNode(x)?.DefElem);
    return d && typeof d.defname === 'string' ? [[d.defname, d.arg] as [string, unknown]] : [];
  });
}

/** A DefElem argument read as a boolean: absent means "on" (`EXPLAIN (ANALYZE)`, `SUPERUSER`). */
function defTrue(arg: unknown): boolean {
  if (arg === undefined) return true;
  const t = tagOf(arg);
  if (t?.[0] === 'Boolean') return t[1].boolval === true;
  if (t?.[0] === 'Integer') return t[1].ival !== 0 && t[1].ival !== undefined;
  const s = stringOf(arg);
  if (s !== null) return !['false', 'off', '0', 'no'].includes(s.toLowerCase());
  return true;
}

function defString(arg: unknown): string | null {
  const s = stringOf(arg);
  if (s !== null) return s;
  const items = asArray(asNode(asNode(arg)?.List)?.items);
  return items.length === 0 ? null : items.map((i) => stringOf(i) ?? '').join('');
}

function dropNames(objects: unknown): string[] {
  return asArray(objects).map((o) => {
    const t = tagOf(o);
    if (!t) return '';
    if (t[0] === 'String') return String(t[1].sval ?? '');
    if (t[0] === 'List') return namesOf(t[1].items);
    if (t[0] === 'ObjectWithArgs') return namesOf(t[1].objname);
    if (t[0] === 'TypeName') return namesOf(t[1].names);
    return '';
  });
}

function bulk(kind: 'delete' | 'update', table: string, how: string, severity: Severity = 'high'): SqlFinding {
  return finding('bulk.delete', severity, `${kind}-all`, `${kind.toUpperCase()} on ${table || 'a table'} ${how}`, table ? [table] : []);
}

function whereFindings(kind: 'delete' | 'update', table: string, where: unknown, joined: boolean): SqlFinding[] {
  if (where === undefined || where === null) {
    return joined ? [] : [bulk(kind, table, 'has no WHERE: every row')];
  }
  return matchesEveryRow(pgCond(where)) ? [bulk(kind, table, 'has a WHERE that matches every row')] : [];
}

type Handler = (v: Node, ctx: JudgeContext, out: SqlFinding[]) => boolean | void;

/** Per node type: add findings; return false to stop descending (EXPLAIN without ANALYZE). */
const HANDLERS: Record<string, Handler> = {
  DeleteStmt(v, _ctx, out) {
    out.push(...whereFindings('delete', relName(v.relation), v.whereClause, false));
  },
  UpdateStmt(v, _ctx, out) {
    out.push(...whereFindings('update', relName(v.relation), v.whereClause, false));
  },
  MergeStmt(v, _ctx, out) {
    const table = relName(v.relation);
    const everyRow = matchesEveryRow(pgCond(v.joinCondition));
    for (const c of asArray(v.mergeWhenClauses)) {
      const w = asNode(asNode(c)?.MergeWhenClause);
      if (!w || w.condition !== undefined) continue;
      const kind = w.commandType === 'CMD_DELETE' ? 'delete' : w.commandType === 'CMD_UPDATE' ? 'update' : null;
      if (!kind) continue;
      if (w.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE') out.push(bulk(kind, table, 'hits every row missing from the MERGE source', 'medium'));
      else if (everyRow) out.push(bulk(kind, table, 'in a MERGE whose ON matches every row'));
    }
  },
  TruncateStmt(v, _ctx, out) {
    const tables = asArray(v.relations).map(relName);
    out.push(finding('destroy.database', 'critical', 'truncate', `TRUNCATE empties ${tables.join(', ')}`, tables));
  },
  DropStmt(v, _ctx, out) {
    const type = String(v.removeType ?? 'OBJECT_UNKNOWN');
    const names = dropNames(v.objects);
    const what = type.replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
    const severity = CRITICAL_DROPS.has(type) ? 'critical' : 'high';
    out.push(finding('destroy.database', severity, 'drop', `DROP ${what.toUpperCase()} ${names.join(', ')}`, names));
  },
  DropdbStmt(v, _ctx, out) {
    const db = String(v.dbname ?? '');
    out.push(finding('destroy.database', 'critical', 'drop', `DROP DATABASE ${db}`, [db]));
  },
  DropOwnedStmt(_v, _ctx, out) {
    out.push(finding('destroy.database', 'critical', 'drop-owned', 'DROP OWNED drops every object a role owns'));
  },
  DropRoleStmt(_v, _ctx, out) {
    out.push(finding('system.disrupt', 'medium', 'drop-role', 'DROP ROLE removes database accounts'));
  },
  AlterTableStmt(v, _ctx, out) {
    const table = relName(v.relation);
    for (const c of asArray(v.cmds)) {
      const cmd = asNode(asNode(c)?.AlterTableCmd);
      const sub = String(cmd?.subtype ?? '');
      if (sub === 'AT_DropColumn') {
        out.push(finding('destroy.database', 'high', 'alter-drop', `ALTER TABLE ${table} DROP COLUMN ${String(cmd?.name ?? '')}`, [table]));
      } else if (sub.startsWith('AT_Drop') || sub === 'AT_DetachPartition') {
        out.push(finding('destroy.database', 'medium', 'alter-drop', `ALTER TABLE ${table} ${sub.slice(3)}`, [table]));
      }
    }
  },
  CopyStmt(v, _ctx, out) {
    const target = relName(v.relation);
    const tables = target ? [target] : [];
    const file = typeof v.filename === 'string' ? v.filename : null;
    if (v.is_program === true) {
      out.push(unanalysable('copy-program', `COPY ... PROGRAM runs the shell command \`${file ?? ''}\` on the database server`, 'critical'));
    } else if (file !== null && v.is_from === true) {
      out.push(finding('secrets.read', 'high', 'copy-from-file', `COPY FROM '${file}' reads a file on the database server`, tables));
    } else if (file !== null) {
      out.push(finding('exfiltration', 'medium', 'copy-to-file', `COPY TO '${file}' writes table data to a file on the database server`, tables));
    }
  },
  ExplainStmt(v) {
    const analyze = defElems(v.options).some(([name, arg]) => name === 'analyze' && defTrue(arg));
    return analyze;
  },
  DoStmt(v, ctx, out) {
    const opts = defElems(v.args);
    const lang = defString(opts.find(([n]) => n === 'language')?.[1])?.toLowerCase() ?? 'plpgsql';
    const body = defString(opts.find(([n]) => n === 'as')?.[1]) ?? '';
    out.push(...codeFindings('DO block', lang, body, ctx));
    return false;
  },
  CreateFunctionStmt(v, ctx, out) {
    const opts = defElems(v.options);
    const lang = defString(opts.find(([n]) => n === 'language')?.[1])?.toLowerCase() ?? 'sql';
    const asArg = opts.find(([n]) => n === 'as')?.[1];
    const body = asArg === undefined ? null : (stringOf(asArray(asNode(asNode(asArg)?.List)?.items)[0]) ?? defString(asArg));
    if (body !== null) out.push(...codeFindings('function body', lang, body, ctx));
    // BEGIN ATOMIC bodies are already parsed: descend into them.
  },
  CreateTrigStmt(v, _ctx, out) {
    const table = relName(v.relation);
    out.push(finding('persistence', 'medium', 'trigger', `CREATE TRIGGER on ${table} runs code on later writes`, [table]));
  },
  CreateEventTrigStmt(_v, _ctx, out) {
    out.push(finding('persistence', 'high', 'event-trigger', 'CREATE EVENT TRIGGER runs code on every DDL command'));
  },
  RuleStmt(v, _ctx, out) {
    out.push(finding('persistence', 'medium', 'rule', `CREATE RULE rewrites later queries on ${relName(v.relation)}`));
  },
  CreateRoleStmt(v, _ctx, out) {
    const role = String(v.role ?? '');
    const priv = defElems(v.options).filter(([n, a]) => PRIVILEGED_ROLE_OPTIONS.has(n) && defTrue(a));
    if (priv.length > 0) out.push(finding('privilege.escalation', 'critical', 'create-privileged-role', `creates role ${role} with ${priv.map(([n]) => n.toUpperCase()).join(', ')}`));
    out.push(finding('persistence', 'high', 'create-role', `creates database account ${role}`));
  },
  AlterRoleStmt(v, _ctx, out) {
    const role = String(asNode(v.role)?.rolename ?? '');
    for (const [n, a] of defElems(v.options)) {
      if (PRIVILEGED_ROLE_OPTIONS.has(n) && defTrue(a)) out.push(finding('privilege.escalation', 'critical', 'alter-role-privilege', `gives role ${role} ${n.toUpperCase()}`));
      else if (n === 'password') out.push(finding('persistence', 'medium', 'set-password', `sets a password for role ${role}`));
      else if (n === 'canlogin' && defTrue(a)) out.push(finding('persistence', 'medium', 'enable-login', `lets role ${role} log in`));
    }
  },
  GrantStmt(v, _ctx, out) {
    if (v.is_grant !== true) return;
    const all = asArray(v.privileges).length === 0;
    out.push(finding('privilege.escalation', all ? 'high' : 'medium', all ? 'grant-all' : 'grant', all ? 'GRANT ALL privileges' : 'GRANT privileges'));
  },
  GrantRoleStmt(v, _ctx, out) {
    if (v.is_grant !== true) return;
    const roles = asArray(v.granted_roles).map((r) => String(asNode(asNode(r)?.AccessPriv)?.priv_name ?? ''));
    const powerful = roles.some((r) => POWERFUL_ROLES.test(r));
    out.push(finding('privilege.escalation', powerful ? 'critical' : 'high', 'grant-role', `GRANT role ${roles.join(', ')}`));
  },
  AlterSystemStmt(v, _ctx, out) {
    const set = asNode(v.setstmt);
    out.push(finding('system.disrupt', 'high', 'alter-system', `ALTER SYSTEM changes server configuration (${String(set?.name ?? '')})`));
    if (set && typeof set.name === 'string') {
      const value = constOf(asArray(set.args)[0]);
      const fs = settingFindings(set.name, value === undefined || value === null ? null : String(value), 'session');
      out.push(...fs);
    }
  },
  VariableSetStmt(v, _ctx, out) {
    if (v.kind !== 'VAR_SET_VALUE' || typeof v.name !== 'string') return;
    const value = constOf(asArray(v.args)[0]);
    out.push(...settingFindings(v.name, value === undefined || value === null ? null : String(value), 'session'));
  },
  LoadStmt(v, _ctx, out) {
    out.push(unanalysable('load-library', `LOAD '${String(v.filename ?? '')}' loads native code into the server`));
  },
  CreateExtensionStmt(v, _ctx, out) {
    const name = String(v.extname ?? '').toLowerCase();
    if (UNTRUSTED_LANGUAGES.has(name) || name === 'adminpack' || name === 'file_fdw') {
      out.push(unanalysable('create-extension', `CREATE EXTENSION ${name} enables file or shell access from SQL`));
    }
  },
  AlterOwnerStmt(_v, _ctx, out) {
    out.push(finding('privilege.escalation', 'medium', 'alter-owner', 'changes the owner of a database object'));
  },
  CallStmt(v, ctx, out) {
    // CALL holds its FuncCall unwrapped.
    const call = asNode(v.funccall);
    if (call) HANDLERS.FuncCall!(call, ctx, out);
  },
  FuncCall(v, ctx, out) {
    const name = namesOf(v.funcname);
    const rule = functionRule(name, ctx.dialect);
    if (rule) {
      out.push(functionFinding(name, rule));
      if (rule.sqlArg) {
        const args = asArray(v.args);
        const arg = rule.sqlArg === 'first' || args.length < 2 ? args[0] : args[1];
        const sql = foldString(arg);
        if (sql === null) out.push(unanalysable('dynamic-sql', `${name}() runs SQL built at run time`));
        else out.push(...ctx.nested(sql));
      }
    } else if (/(^|\.)set_config$/.test(name)) {
      const [n, val] = asArray(v.args).map(foldString);
      if (n) out.push(...settingFindings(n, val ?? null, 'session'));
      else out.push(unanalysable('dynamic-setting', 'set_config() with a computed setting name', 'medium'));
    }
  },
};

/** Judges code in a procedural language: PL/pgSQL and SQL bodies are read; others cannot be. */
function codeFindings(where: string, lang: string, body: string, ctx: JudgeContext): SqlFinding[] {
  if (lang === 'plpgsql') return ctx.plpgsql(body);
  if (lang === 'sql') return ctx.nested(body, 'postgres');
  if (UNTRUSTED_LANGUAGES.has(lang)) {
    return [unanalysable('untrusted-code', `${where} in untrusted language ${lang} can run shell commands on the server`, 'critical')];
  }
  return [unanalysable('procedural-code', `${where} in ${lang} cannot be analysed`, 'medium')];
}

function walk(x: unknown, ctx: JudgeContext, out: SqlFinding[]): void {
  if (Array.isArray(x)) {
    for (const e of x) walk(e, ctx, out);
    return;
  }
  const n = asNode(x);
  if (!n) return;
  for (const [key, value] of Object.entries(n)) {
    const h = Object.hasOwn(HANDLERS, key) ? HANDLERS[key] : undefined;
    const v = asNode(value);
    if (h && v) {
      if (h(v, ctx, out) === false) continue;
    } else if (/^Drop\w*Stmt$/.test(key) && v) {
      out.push(finding('destroy.database', 'high', 'drop', `${key.replace(/Stmt$/, '')} removes a database object`));
    }
    walk(value, ctx, out);
  }
}

/** Findings of one parsed Postgres statement, worst effect over its whole tree. */
export function judgePostgresStatement(stmt: unknown, ctx: JudgeContext): SqlFinding[] {
  const out: SqlFinding[] = [];
  walk(stmt, ctx, out);
  return out;
}
