/**
 * `approvals …` sent as an exec command to the bastion: bulwark answers it itself (the word is
 * reserved at the bastion and never reaches a target's shell). list [--json], show ID,
 * approve ID [--comment TEXT], deny ID [--comment TEXT].
 *
 * Trust boundary: the caller is the certificate's identity; what they may see and decide is the
 * policy's `approve` action (mayApprove), plus their own requests, which they may always see. The
 * arguments are split here with shell-like quoting but never run. Exit statuses: 0 done, 64 usage,
 * 77 refused (with the reason and code on stderr).
 */
import type { ApprovalStore } from './store.js';
import type { ApprovalRequest, Approver, MayApprove } from './types.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const EXIT_USAGE = 64;
export const EXIT_REFUSED = 77;

const USAGE = `usage: approvals list [--json] | show ID | approve ID [--comment TEXT] | deny ID [--comment TEXT]`;

/** True when the exec command is for bulwark itself. */
export function isApprovalsCommand(command: string): boolean {
  return /^\s*approvals(\s|$)/.test(command);
}

/** Splits words with '…', "…" and backslash quoting; undefined on an unterminated quote. */
export function splitWords(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return undefined;
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      // Inside double quotes a backslash escapes only " \ $ ` (as in sh).
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1] as string)) j++;
        cur += s[j];
      }
      if (j >= s.length) return undefined;
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function summary(r: ApprovalRequest): string {
  const cats = [...new Set(r.intents.map((i) => i.category))].join(',') || '-';
  return `${r.id}  ${r.status.padEnd(9)} ${r.requester.subject} (${r.requester.kind}) on ${r.target}  ${cats}  ${JSON.stringify(clean(r.command).slice(0, 80))}`;
}

export function describeRequest(r: ApprovalRequest): string {
  const lines = [
    `id:        ${r.id}`,
    `status:    ${r.status}`,
    `requester: ${r.requester.subject} (${r.requester.kind}, groups ${r.requester.groups.join(',') || '-'}, serial ${r.requester.serial})`,
    `target:    ${r.target}`,
    `command:   ${clean(r.command)}`,
    `sha256:    ${r.commandHash}`,
    `rule:      ${r.rule}: ${clean(r.ruleReason)}`,
    `reason:    ${r.reason === undefined ? '(none given)' : clean(r.reason)}`,
    `created:   ${iso(r.createdAt)}`,
    `expires:   ${iso(r.expiresAt)}`,
    `approvals: ${new Set(r.decisions.filter((d) => d.verdict === 'approve').map((d) => d.by)).size} of ${r.requiredApprovals}`,
    ...r.intents.map((i) => `intent:    ${i.category}: ${clean(i.explanation)}`),
    ...r.decisions.map((d) => `decision:  ${d.verdict} by ${d.by} at ${iso(d.at)}${d.comment ? `: ${clean(d.comment)}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function runApprovalsCommand(command: string, caller: Approver, store: ApprovalStore, mayApprove: (r: ApprovalRequest) => MayApprove): CommandResult {
  const usage = (why: string): CommandResult => ({ code: EXIT_USAGE, stdout: '', stderr: `bulwark: ERR_APPROVAL_USAGE: ${why}\n${USAGE}\n` });
  const refuse = (code: string, message: string): CommandResult => ({ code: EXIT_REFUSED, stdout: '', stderr: `bulwark: ${code}: ${clean(message)}\n` });
  const words = splitWords(command);
  if (words === undefined) return usage('unterminated quote');
  const [, verb, ...rest] = words;
  const visible = (r: ApprovalRequest) => r.requester.subject === caller.subject || (caller.kind === 'human' && safeMay(mayApprove, r));

  if (verb === 'list') {
    const json = rest.includes('--json');
    if (rest.some((a) => a !== '--json')) return usage(`unknown argument ${rest.find((a) => a !== '--json')}`);
    const mine = store.list().filter(visible);
    if (json) return { code: 0, stdout: `${JSON.stringify(mine)}\n`, stderr: '' };
    return { code: 0, stdout: mine.length === 0 ? 'no review requests\n' : `${mine.map(summary).join('\n')}\n`, stderr: '' };
  }
  if (verb === 'show') {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0) return usage('show takes one request id');
    const r = store.get(id);
    if (r === undefined) return refuse('ERR_APPROVAL_NOT_FOUND', `no review request ${id}`);
    if (!visible(r)) return refuse('ERR_APPROVAL_NOT_PERMITTED', mayApprove(r).reason);
    return { code: 0, stdout: describeRequest(r), stderr: '' };
  }
  if (verb === 'approve' || verb === 'deny') {
    let id: string | undefined;
    let comment: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i] as string;
      if (a === '--comment' || a === '--reason') {
        comment = rest[++i];
        if (comment === undefined) return usage(`${a} needs a text`);
      } else if (a.startsWith('--comment=') || a.startsWith('--reason=')) comment = a.slice(a.indexOf('=') + 1);
      else if (id === undefined && !a.startsWith('-')) id = a;
      else return usage(`unexpected argument ${a}`);
    }
    if (id === undefined) return usage(`${verb} needs a request id`);
    const res = store.decide(id, caller, verb, comment, mayApprove);
    if (!res.ok) return refuse(res.code, res.message);
    const r = res.request;
    const more = r.status === 'pending' ? ` (${r.decisions.filter((d) => d.verdict === 'approve').length} of ${r.requiredApprovals} approvals)` : '';
    return { code: 0, stdout: `${r.id} ${verb === 'approve' ? 'approved' : 'denied'} by ${caller.subject}; status ${r.status}${more}\n`, stderr: '' };
  }
  return usage(verb === undefined ? 'missing subcommand' : `unknown subcommand ${verb}`);
}

function safeMay(mayApprove: (r: ApprovalRequest) => MayApprove, r: ApprovalRequest): boolean {
  try {
    return mayApprove(r).allowed;
  } catch {
    return false;
  }
}
