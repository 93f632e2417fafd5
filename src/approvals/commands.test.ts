/** The `approvals …` commands as text in, text out, against a real store in a temp directory. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../audit/index.js';
import { systemClock } from '../core/index.js';
import { ApprovalStore, runApprovalsCommand, splitWords, isApprovalsCommand, type ApprovalRequest } from './index.js';

const quiet: AuditLog = { event: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet, flush: () => undefined };
const store = await ApprovalStore.open(mkdtempSync(join(tmpdir(), 'bulwark-approvals-')), { clock: systemClock, log: quiet });
afterAll(() => store.close());

const lead = { subject: 'lead@example.com', kind: 'human' as const, groups: ['approvers'] };
const dev = { subject: 'dev@example.com', kind: 'human' as const, groups: [] };
const onlyApprovers = (who: { groups: readonly string[] }) => (_r: ApprovalRequest) => ({ allowed: who.groups.includes('approvers'), reason: who.groups.includes('approvers') ? 'ok' : 'only approvers may approve' });

describe('approvals commands', () => {
  it('splits words with quotes and recognises only the reserved first word', () => {
    expect(splitWords(`approvals deny rv-1 --comment "not 'now', \\"later\\"" x\\ y`)).toEqual(['approvals', 'deny', 'rv-1', '--comment', `not 'now', "later"`, 'x y']);
    expect(splitWords('approvals "open')).toBeUndefined();
    expect(isApprovalsCommand('  approvals list')).toBe(true);
    expect(isApprovalsCommand('approvalsx list')).toBe(false);
    expect(isApprovalsCommand('echo approvals')).toBe(false);
  });

  it('lists what the caller may decide or asked for, shows, approves with a comment, refuses with 77', () => {
    const r = store.create({ requester: { subject: dev.subject, kind: 'human', groups: [], serial: '1' }, target: 'local', command: 'rm -rf /srv/x', mode: 'exec', intents: [], rule: 'humans.destroy', ruleReason: 'needs approval' });
    const list = runApprovalsCommand('approvals list', lead, store, onlyApprovers(lead));
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toContain(`${r.id}  pending   dev@example.com (human) on local`);
    const json = JSON.parse(runApprovalsCommand('approvals list --json', dev, store, onlyApprovers(dev)).stdout) as ApprovalRequest[];
    expect(json.map((x) => x.id)).toContain(r.id);
    expect(runApprovalsCommand('approvals list', { subject: 'eve@example.com', kind: 'human', groups: [] }, store, onlyApprovers({ groups: [] })).stdout).toBe('no review requests\n');
    expect(runApprovalsCommand(`approvals show ${r.id}`, lead, store, onlyApprovers(lead)).stdout).toMatch(/command: {3}rm -rf \/srv\/x\n/);
    expect(runApprovalsCommand(`approvals approve ${r.id}`, dev, store, onlyApprovers(dev))).toEqual({ code: 77, stdout: '', stderr: 'bulwark: ERR_APPROVAL_SELF: nobody may decide their own request\n' });
    expect(runApprovalsCommand(`approvals approve ${r.id}`, { subject: 'eve@example.com', kind: 'human', groups: [] }, store, onlyApprovers({ groups: [] }))).toMatchObject({ code: 77, stderr: 'bulwark: ERR_APPROVAL_NOT_PERMITTED: only approvers may approve\n' });
    expect(runApprovalsCommand(`approvals approve ${r.id} --comment "looks fine"`, lead, store, onlyApprovers(lead))).toMatchObject({ code: 0, stdout: `${r.id} approved by lead@example.com; status approved\n` });
    expect(store.get(r.id)?.decisions[0]?.comment).toBe('looks fine');
  });

  it('answers usage errors with 64', () => {
    expect(runApprovalsCommand('approvals', lead, store, onlyApprovers(lead)).code).toBe(64);
    expect(runApprovalsCommand('approvals frobnicate', lead, store, onlyApprovers(lead)).code).toBe(64);
    expect(runApprovalsCommand('approvals approve', lead, store, onlyApprovers(lead)).code).toBe(64);
    expect(runApprovalsCommand('approvals deny rv-1 --comment', lead, store, onlyApprovers(lead)).code).toBe(64);
  });
});
