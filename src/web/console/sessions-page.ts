/**
 * The sessions list: recordings filtered by subject, kind, target, time range, decision and text
 * in judged commands (recording/catalog.ts's listRecordings), sorted by a column, each row with
 * who, where, when, duration, command and denied counts and integrity (verifier, cached).
 *
 * Trust boundary: query parameters are hostile; each is validated into a RecordingFilter and
 * echoed back only escaped. Known limits: no paging (every matching recording is one row; the
 * catalog reads sidecars, so this is fine up to some thousands).
 */
import type { Verdict } from '../../core/index.js';
import { listRecordings, type RecordingFilter, type RecordingSummary } from '../../recording/index.js';
import { esc } from './http.js';
import { integrityBadge, type IntegrityCache } from './integrity.js';

const SORTS = ['start', 'subject', 'target', 'duration', 'commands', 'denied'] as const;
type Sort = (typeof SORTS)[number];

export interface ListQuery {
  filter: RecordingFilter;
  sort: Sort;
  desc: boolean;
  raw: Record<string, string>;
}

const FIELDS = ['subject', 'kind', 'target', 'from', 'to', 'decision', 'text', 'sort', 'dir'] as const;

export function parseListQuery(params: URLSearchParams): ListQuery {
  const raw: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = params.get(f)?.trim();
    if (v !== undefined && v !== '' && v.length <= 256) raw[f] = v;
  }
  const filter: RecordingFilter = {};
  if (raw['subject'] !== undefined) filter.subject = raw['subject'];
  if (raw['kind'] === 'human' || raw['kind'] === 'agent') filter.kind = raw['kind'];
  if (raw['target'] !== undefined) filter.target = raw['target'];
  if (raw['decision'] === 'allow' || raw['decision'] === 'deny' || raw['decision'] === 'review') filter.decision = raw['decision'] as Verdict;
  if (raw['text'] !== undefined) filter.text = raw['text'];
  // datetime-local values carry no zone: they are read as UTC, which the form says.
  const time = (v: string | undefined) => (v === undefined ? undefined : Date.parse(/Z$|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`));
  const from = time(raw['from']);
  const to = time(raw['to']);
  if (from !== undefined && Number.isFinite(from)) filter.from = from;
  if (to !== undefined && Number.isFinite(to)) filter.to = to;
  const sort = (SORTS as readonly string[]).includes(raw['sort'] ?? '') ? (raw['sort'] as Sort) : 'start';
  return { filter, sort, desc: raw['dir'] !== 'asc', raw };
}

const durationMs = (r: RecordingSummary): number => (r.end === undefined ? Date.now() : Date.parse(r.end)) - Date.parse(r.start);

function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function compare(sort: Sort): (a: RecordingSummary, b: RecordingSummary) => number {
  switch (sort) {
    case 'subject': return (a, b) => a.subject.localeCompare(b.subject);
    case 'target': return (a, b) => a.target.localeCompare(b.target);
    case 'duration': return (a, b) => durationMs(a) - durationMs(b);
    case 'commands': return (a, b) => a.commands - b.commands;
    case 'denied': return (a, b) => a.denied - b.denied;
    default: return (a, b) => a.start.localeCompare(b.start);
  }
}

function filterForm(q: ListQuery): string {
  const v = (k: string) => esc(q.raw[k] ?? '');
  const sel = (k: string, options: string[]) =>
    options.map((o) => `<option value="${esc(o)}"${(q.raw[k] ?? '') === o ? ' selected' : ''}>${o === '' ? 'any' : esc(o)}</option>`).join('');
  return `<form method="get" action="/sessions" class="filters" role="search" aria-label="Filter sessions">
<label>Subject <input name="subject" value="${v('subject')}"></label>
<label>Kind <select name="kind">${sel('kind', ['', 'human', 'agent'])}</select></label>
<label>Target <input name="target" value="${v('target')}"></label>
<label>From (UTC) <input type="datetime-local" name="from" value="${v('from')}"></label>
<label>To (UTC) <input type="datetime-local" name="to" value="${v('to')}"></label>
<label>Decision <select name="decision">${sel('decision', ['', 'allow', 'deny', 'review'])}</select></label>
<label>Command contains <input name="text" value="${v('text')}"></label>
<input type="hidden" name="sort" value="${esc(q.sort)}"><input type="hidden" name="dir" value="${q.desc ? 'desc' : 'asc'}">
<button type="submit">Filter</button> <a href="/sessions">Clear</a></form>`;
}

function header(q: ListQuery, key: Sort | undefined, label: string): string {
  if (key === undefined) return `<th scope="col">${label}</th>`;
  const active = q.sort === key;
  const params = new URLSearchParams({ ...q.raw, sort: key, dir: active && q.desc ? 'asc' : 'desc' });
  const aria = active ? ` aria-sort="${q.desc ? 'descending' : 'ascending'}"` : '';
  return `<th scope="col"${aria}><a href="/sessions?${esc(params.toString())}">${label}${active ? (q.desc ? ' ▼' : ' ▲') : ''}</a></th>`;
}

export async function sessionsPage(dir: string, integrity: IntegrityCache, q: ListQuery): Promise<string> {
  const rows = await listRecordings(dir, q.filter);
  const cmp = compare(q.sort);
  rows.sort((a, b) => (q.desc ? -cmp(a, b) : cmp(a, b)));
  const body: string[] = [];
  for (const r of rows) {
    const check = await integrity.check(r.file).catch(() => undefined);
    body.push(`<tr data-id="${esc(r.id)}">
<td><a href="/recordings/${encodeURIComponent(r.id)}">${esc(r.subject)}</a> <span class="kind">${esc(r.kind)}</span></td>
<td>${esc(r.target)} <span class="muted">as ${esc(r.principal)} from ${esc(r.source)}</span></td>
<td><time datetime="${esc(r.start)}">${esc(r.start.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td>
<td>${esc(fmtDuration(durationMs(r)))}${r.status === 'open' ? ' <span class="live">open</span>' : ''}</td>
<td class="num">${r.commands}</td><td class="num${r.denied > 0 ? ' denied' : ''}">${r.denied}</td>
<td>${check === undefined ? '<span class="integrity tampered">unreadable</span>' : integrityBadge(check)}</td></tr>`);
  }
  return `${filterForm(q)}
<table class="sessions"><caption>${rows.length} session${rows.length === 1 ? '' : 's'}</caption>
<thead><tr>${header(q, 'subject', 'Who')}${header(q, 'target', 'Where')}${header(q, 'start', 'When')}${header(q, 'duration', 'Duration')}${header(q, 'commands', 'Commands')}${header(q, 'denied', 'Denied')}${header(q, undefined, 'Integrity')}</tr></thead>
<tbody>${body.join('\n') || '<tr><td colspan="7">No recordings match.</td></tr>'}</tbody></table>`;
}
