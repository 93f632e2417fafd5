/**
 * ApprovalStore as data in, data out on a real state directory: lifecycle, the rules that hold
 * whatever the policy says, single use, expiry, persistence across reopen (and a torn last line),
 * audit events and the webhook against a real HTTP server on loopback.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditCode, AuditLog } from '../audit/index.js';
import { fixedClock } from '../core/index.js';
import { ApprovalStore, commandHash, JOURNAL_FILE, type ApprovalRequest, type CreateInput } from './index.js';

interface Line {
  code: AuditCode;
  fields: Record<string, unknown>;
}
function memoryLog(lines: Line[]): AuditLog {
  const log: AuditLog = {
    event: (code, fields = {}) => void lines.push({ code, fields }),
    warn: (code, fields = {}) => void lines.push({ code, fields }),
    error: (code, fields = {}) => void lines.push({ code, fields }),
    child: () => log,
    flush: () => undefined,
  };
  return log;
}

const input: CreateInput = {
  requester: { subject: 'bot@example.com', kind: 'agent', groups: ['ci'], serial: '7' },
  target: 'db-prod-1',
  command: 'psql -c "TRUNCATE audit_log"',
  mode: 'exec',
  intents: [{ category: 'destroy.database', severity: 'high', explanation: 'truncates audit_log', evidence: { start: 0, end: 5, text: 'TRUNCATE', path: [] }, details: { sqlEffect: 'truncate', tables: ['audit_log'] } }],
  rule: 'test.review',
  ruleReason: 'needs a second pair of eyes',
  reason: 'ticket OPS-1',
};
const lead = { subject: 'lead@example.com', kind: 'human' as const, groups: ['approvers'] };
const yes = () => ({ allowed: true, reason: 'approvers may approve' });

let stores: ApprovalStore[] = [];
afterEach(() => {
  stores.forEach((s) => s.close());
  stores = [];
});

async function open(dir = mkdtempSync(join(tmpdir(), 'bulwark-approvals-')), extra: { requiredApprovals?: number; webhookUrl?: string } = {}) {
  const clock = fixedClock(1_700_000_000_000);
  const lines: Line[] = [];
  const store = await ApprovalStore.open(dir, { clock, log: memoryLog(lines), ttlMs: 60_000, ...extra });
  stores.push(store);
  return { dir, clock, lines, store };
}

describe('ApprovalStore', () => {
  it('creates a pending request with an unambiguous id, the exact bytes and their hash', async () => {
    const { store, lines } = await open();
    const r = store.create(input);
    expect(r.id).toMatch(/^[0-9a-f]{12}$/);
    expect(r).toMatchObject({ status: 'pending', command: input.command, commandHash: commandHash(input.command), reason: 'ticket OPS-1', requiredApprovals: 1, expiresAt: r.createdAt + 60_000 });
    expect(r.commandHash).toMatch(/^[0-9a-f]{64}$/);
    expect(store.get(r.id)).toEqual(r);
    expect(store.list({ status: 'pending' })).toEqual([r]);
    expect(lines.map((l) => l.code)).toEqual(['review.requested']);
  });

  it('refuses self-approval, agents and whoever the policy does not permit, and says why', async () => {
    const { store, lines } = await open();
    const r = store.create({ ...input, requester: { ...input.requester, subject: 'ana@example.com', kind: 'human' } });
    expect(store.decide(r.id, { subject: 'ana@example.com', kind: 'human', groups: ['approvers'] }, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_SELF' });
    expect(store.decide(r.id, { subject: 'bot2', kind: 'agent', groups: ['approvers'] }, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_AGENT' });
    expect(store.decide(r.id, lead, 'approve', undefined, () => ({ allowed: false, reason: 'not an approver' }))).toEqual({ ok: false, code: 'ERR_APPROVAL_NOT_PERMITTED', message: 'not an approver' });
    expect(store.decide('000000000000', lead, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_FOUND' });
    expect(store.get(r.id)?.status).toBe('pending');
    expect(lines.filter((l) => l.code === 'review.refused').map((l) => l.fields['code'])).toEqual(['ERR_APPROVAL_SELF', 'ERR_APPROVAL_AGENT', 'ERR_APPROVAL_NOT_PERMITTED', 'ERR_APPROVAL_NOT_FOUND']);
  });

  it('approves, then the byte-identical command by the same requester on the same target is consumed once', async () => {
    const { store, lines } = await open();
    const r = store.create(input);
    const res = store.decide(r.id, lead, 'approve', 'ok, go', yes);
    expect(res).toMatchObject({ ok: true, request: { status: 'approved', decisions: [{ by: lead.subject, verdict: 'approve', comment: 'ok, go' }] } });
    expect(store.consume('other@example.com', input.target, r.commandHash)).toBeUndefined();
    expect(store.consume(input.requester.subject, 'db-prod-2', r.commandHash)).toBeUndefined();
    expect(store.consume(input.requester.subject, input.target, commandHash(`${input.command} `))).toBeUndefined();
    expect(store.consume(input.requester.subject, input.target, r.commandHash)?.status).toBe('consumed');
    expect(store.consume(input.requester.subject, input.target, r.commandHash)).toBeUndefined();
    expect(store.decide(r.id, { ...lead, subject: 'x@example.com' }, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PENDING' });
    expect(lines.map((l) => l.code)).toEqual(['review.requested', 'review.approved', 'review.consumed', 'review.refused']);
  });

  it('needs the configured number of distinct approvers; one deny closes it', async () => {
    const { store } = await open(undefined, { requiredApprovals: 2 });
    const r = store.create(input);
    expect(store.decide(r.id, lead, 'approve', undefined, yes)).toMatchObject({ ok: true, request: { status: 'pending' } });
    expect(store.decide(r.id, lead, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_ALREADY_DECIDED' });
    expect(store.decide(r.id, { ...lead, subject: 'second@example.com' }, 'approve', undefined, yes)).toMatchObject({ ok: true, request: { status: 'approved' } });
    const d = store.create(input);
    expect(store.decide(d.id, lead, 'deny', 'not today', yes)).toMatchObject({ ok: true, request: { status: 'denied', closedBy: lead.subject } });
    expect(store.consume(input.requester.subject, input.target, d.commandHash)?.id).toBe(r.id);
  });

  it('expires pending and approved requests: neither approved nor consumed after expiry', async () => {
    const { store, clock, lines } = await open();
    const pending = store.create(input);
    const approved = store.create({ ...input, command: 'psql -c "TRUNCATE t2"' });
    store.decide(approved.id, lead, 'approve', undefined, yes);
    clock.advance(60_000);
    expect(store.decide(pending.id, lead, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_EXPIRED' });
    expect(store.consume(input.requester.subject, input.target, approved.commandHash)).toBeUndefined();
    expect(store.get(approved.id)?.status).toBe('expired');
    expect(lines.filter((l) => l.code === 'review.expired').map((l) => l.fields['was']).sort()).toEqual(['approved', 'pending']);
  });

  it('cancels only for the requester, and emits every change', async () => {
    const { store } = await open();
    const seen: string[] = [];
    store.on('change', (x: ApprovalRequest) => seen.push(x.status));
    const r = store.create(input);
    expect(store.cancel(r.id, lead.subject)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PERMITTED' });
    expect(store.cancel(r.id, input.requester.subject)).toMatchObject({ ok: true, request: { status: 'cancelled' } });
    expect(store.decide(r.id, lead, 'approve', undefined, yes)).toMatchObject({ ok: false, code: 'ERR_APPROVAL_NOT_PENDING' });
    expect(seen).toEqual(['pending', 'cancelled']);
  });

  it('survives a reopen, skips a torn last line and compacts to one line per request', async () => {
    const first = await open();
    const a = first.store.create(input);
    const b = first.store.create({ ...input, command: 'rm -rf /srv/old' });
    first.store.decide(b.id, lead, 'approve', undefined, yes);
    first.store.close();
    expect(readFileSync(join(first.dir, JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
    appendFileSync(join(first.dir, JOURNAL_FILE), '{"v":1,"request":{"id":"0a');
    const second = await open(first.dir);
    expect(second.store.get(a.id)?.status).toBe('pending');
    expect(second.store.get(b.id)?.status).toBe('approved');
    expect(second.lines.filter((l) => l.code === 'review.store')).toHaveLength(1);
    expect(readFileSync(join(first.dir, JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(second.store.decide(a.id, lead, 'approve', undefined, yes)).toMatchObject({ ok: true, request: { status: 'approved' } });
  });

  it('posts a Slack-compatible body when a request is opened and decided; a dead webhook never blocks', async () => {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const { store } = await open(undefined, { webhookUrl: `http://127.0.0.1:${port}/hook` });
      const r = store.create(input);
      store.decide(r.id, lead, 'approve', 'fine', yes);
      for (let i = 0; i < 100 && bodies.length < 2; i++) await new Promise((res) => setTimeout(res, 20));
      expect(bodies).toHaveLength(2);
      expect(String(bodies[0]?.['text'])).toContain(`Review requested ${r.id} by bot@example.com`);
      expect(bodies[0]?.['bulwark']).toMatchObject({ event: 'requested', id: r.id, command: input.command, target: 'db-prod-1' });
      expect(String(bodies[1]?.['text'])).toContain(`Review ${r.id} approved by lead@example.com: fine`);
    } finally {
      server.close();
    }
    const dead = await open(undefined, { webhookUrl: `http://127.0.0.1:${port}/gone` });
    const t0 = Date.now();
    dead.store.create(input);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (let i = 0; i < 100 && !dead.lines.some((l) => l.code === 'review.notify-failed'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(dead.lines.some((l) => l.code === 'review.notify-failed')).toBe(true);
  });
});
