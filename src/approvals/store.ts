/**
 * ApprovalStore: the lifecycle of review requests. pending → approved (enough distinct approvals)
 * → consumed (the requester resent the byte-identical command on the same target, once); or
 * pending → denied | cancelled; pending or approved → expired at expiresAt. Every change is
 * journalled (fsync) before it is visible, audited (`review.*`) and emitted as 'change'.
 *
 * Trust boundary: callers pass identities they verified (certificates); the store enforces the
 * rules that hold whatever the policy says (nobody approves their own request, agents never
 * approve, expired requests are neither approved nor consumed) and asks the caller's mayApprove
 * (the policy's `approve` action) for the rest. Known limits: one process per state directory;
 * expiry is noticed on access and by a 5 s sweep, so `review.expired` may lag by that much.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../audit/index.js';
import type { Clock } from '../core/index.js';
import { Journal } from './journal.js';
import { notify } from './webhook.js';
import type { ApprovalRequest, ApprovalStatus, Approver, CreateInput, DecideResult, MayApprove } from './types.js';

export interface ApprovalStoreOptions {
  readonly clock: Clock;
  readonly log: AuditLog;
  readonly webhookUrl?: string | undefined;
  readonly requiredApprovals?: number | undefined;
  readonly ttlMs?: number | undefined;
}

export const DEFAULT_TTL_MS = 15 * 60 * 1000;
const SWEEP_MS = 5000;
/** 12 lower-case hex characters (48 bits): unambiguous to read out (no l/1 or O/0 pairs), and the
 * shape review ids already had in messages and scripts (`request fae57760daff`). */
export function newRequestId(): string {
  return randomBytes(6).toString('hex');
}

export function commandHash(command: string): string {
  return createHash('sha256').update(command, 'utf8').digest('hex');
}

const refused = (code: string, message: string): DecideResult => ({ ok: false, code, message });

export class ApprovalStore {
  readonly #requests: Map<string, ApprovalRequest>;
  readonly #journal: Journal;
  readonly #events = new EventEmitter();
  readonly #sweep: NodeJS.Timeout;
  readonly #clock: Clock;
  readonly #log: AuditLog;
  readonly #webhook: string | undefined;
  readonly #required: number;
  readonly #ttl: number;

  private constructor(journal: Journal, requests: Map<string, ApprovalRequest>, o: ApprovalStoreOptions) {
    this.#journal = journal;
    this.#requests = requests;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#webhook = o.webhookUrl;
    this.#required = Math.max(1, Math.floor(o.requiredApprovals ?? 1));
    this.#ttl = o.ttlMs ?? DEFAULT_TTL_MS;
    this.#events.setMaxListeners(0); // one listener per waiting session
    this.#sweep = setInterval(() => {
      try {
        this.#expireDue();
      } catch (err) {
        this.#log.error('review.store', { error: (err as Error).message }, 'approval store sweep failed');
      }
    }, SWEEP_MS).unref();
  }

  static async open(stateDir: string, o: ApprovalStoreOptions): Promise<ApprovalStore> {
    const { journal, loaded } = Journal.open(stateDir, o.clock.now());
    if (loaded.skipped > 0) o.log.warn('review.store', { file: journal.file, skipped: loaded.skipped }, 'unreadable lines in the approval store were skipped');
    const store = new ApprovalStore(journal, loaded.requests, o);
    store.#expireDue();
    return store;
  }

  create(input: CreateInput): ApprovalRequest {
    const now = this.#clock.now();
    let id = newRequestId();
    while (this.#requests.has(id)) id = newRequestId();
    const r: ApprovalRequest = {
      id,
      requester: { subject: input.requester.subject, kind: input.requester.kind, groups: [...input.requester.groups], serial: input.requester.serial },
      target: input.target,
      command: input.command,
      commandHash: commandHash(input.command),
      mode: input.mode,
      intents: input.intents,
      rule: input.rule,
      ruleReason: input.ruleReason,
      reason: input.reason === undefined || input.reason.trim() === '' ? undefined : input.reason.slice(0, 1000),
      createdAt: now,
      expiresAt: now + this.#ttl,
      status: 'pending',
      decisions: [],
      requiredApprovals: this.#required,
      session: input.session,
      recording: input.recording,
      closedAt: undefined,
      closedBy: undefined,
    };
    this.#put(r);
    this.#log.warn('review.requested', { ...this.#fields(r), intents: r.intents.map((i) => i.category), rule: r.rule, reason: r.reason, expiresAt: new Date(r.expiresAt).toISOString() });
    notify(this.#webhook, this.#log, 'requested', r);
    return r;
  }

  get(id: string): ApprovalRequest | undefined {
    const r = this.#requests.get(id);
    return r === undefined ? undefined : this.#expireIfDue(r);
  }

  /** Newest first. */
  list(filter: { status?: ApprovalStatus } = {}): ApprovalRequest[] {
    this.#expireDue();
    return [...this.#requests.values()].filter((r) => filter.status === undefined || r.status === filter.status).sort((a, b) => b.createdAt - a.createdAt);
  }

  decide(id: string, approver: Approver, verdict: 'approve' | 'deny', comment: string | undefined, mayApprove: (req: ApprovalRequest) => MayApprove): DecideResult {
    const r = this.get(id);
    const fail = (code: string, message: string) => {
      this.#log.warn('review.refused', { id, by: approver.subject, byKind: approver.kind, verdict, code, reason: message });
      return refused(code, message);
    };
    if (r === undefined) return fail('ERR_APPROVAL_NOT_FOUND', `no review request ${id}`);
    if (r.status === 'expired') return fail('ERR_APPROVAL_EXPIRED', `request ${id} expired at ${new Date(r.expiresAt).toISOString()}`);
    if (r.status !== 'pending') return fail('ERR_APPROVAL_NOT_PENDING', `request ${id} is ${r.status}, not pending`);
    // These two hold whatever the policy says.
    if (approver.kind !== 'human') return fail('ERR_APPROVAL_AGENT', 'AI agents may never approve or deny a held request');
    if (approver.subject === r.requester.subject) return fail('ERR_APPROVAL_SELF', 'nobody may decide their own request');
    let may: MayApprove;
    try {
      may = mayApprove(r);
    } catch (err) {
      may = { allowed: false, reason: `policy evaluation failed: ${(err as Error).message}` };
    }
    if (!may.allowed) return fail('ERR_APPROVAL_NOT_PERMITTED', may.reason);
    if (r.decisions.some((d) => d.by === approver.subject)) return fail('ERR_APPROVAL_ALREADY_DECIDED', `${approver.subject} already decided request ${id}`);
    const now = this.#clock.now();
    const text = comment === undefined || comment.trim() === '' ? undefined : comment.slice(0, 1000);
    const decisions = [...r.decisions, { by: approver.subject, verdict, comment: text, at: now }];
    const approvals = new Set(decisions.filter((d) => d.verdict === 'approve').map((d) => d.by)).size;
    const status: ApprovalStatus = verdict === 'deny' ? 'denied' : approvals >= r.requiredApprovals ? 'approved' : 'pending';
    const next: ApprovalRequest = { ...r, decisions, status, ...(status === 'denied' ? { closedAt: now, closedBy: approver.subject } : {}) };
    this.#put(next);
    const fields = { ...this.#fields(next), by: approver.subject, comment: text, approvals, required: r.requiredApprovals };
    if (verdict === 'deny') this.#log.warn('review.denied', fields);
    else this.#log.event('review.approved', fields);
    if (status !== 'pending') notify(this.#webhook, this.#log, status === 'denied' ? 'denied' : 'approved', next);
    return { ok: true, request: next };
  }

  /** The approved, unexpired request for exactly this command by this requester on this target,
   * marked consumed so it runs once; undefined if there is none. */
  consume(subject: string, target: string, hash: string): ApprovalRequest | undefined {
    this.#expireDue();
    const r = [...this.#requests.values()].find((x) => x.status === 'approved' && x.requester.subject === subject && x.target === target && x.commandHash === hash);
    if (r === undefined) return undefined;
    const next: ApprovalRequest = { ...r, status: 'consumed', closedAt: this.#clock.now(), closedBy: subject };
    this.#put(next);
    this.#log.event('review.consumed', this.#fields(next));
    return next;
  }

  cancel(id: string, by: string): DecideResult {
    const r = this.get(id);
    if (r === undefined) return refused('ERR_APPROVAL_NOT_FOUND', `no review request ${id}`);
    if (r.status !== 'pending' && r.status !== 'approved') return refused('ERR_APPROVAL_NOT_PENDING', `request ${id} is ${r.status}`);
    if (by !== r.requester.subject) return refused('ERR_APPROVAL_NOT_PERMITTED', 'only the requester may cancel a request');
    const next: ApprovalRequest = { ...r, status: 'cancelled', closedAt: this.#clock.now(), closedBy: by };
    this.#put(next);
    this.#log.event('review.cancelled', { ...this.#fields(next), by });
    return { ok: true, request: next };
  }

  on(event: 'change', cb: (req: ApprovalRequest) => void): void {
    this.#events.on(event, cb);
  }

  off(event: 'change', cb: (req: ApprovalRequest) => void): void {
    this.#events.off(event, cb);
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#journal.close();
  }

  #fields(r: ApprovalRequest): Record<string, unknown> {
    return { id: r.id, status: r.status, requester: r.requester.subject, requesterKind: r.requester.kind, target: r.target, command: r.command, commandHash: r.commandHash };
  }

  /** Journal first: a change that is not on disk is not made. */
  #put(r: ApprovalRequest): void {
    this.#journal.append(r);
    this.#requests.set(r.id, r);
    this.#events.emit('change', r);
  }

  #expireIfDue(r: ApprovalRequest): ApprovalRequest {
    if ((r.status !== 'pending' && r.status !== 'approved') || this.#clock.now() < r.expiresAt) return r;
    const next: ApprovalRequest = { ...r, status: 'expired', closedAt: r.expiresAt, closedBy: undefined };
    this.#put(next);
    this.#log.event('review.expired', { ...this.#fields(next), was: r.status });
    return next;
  }

  #expireDue(): void {
    for (const r of [...this.#requests.values()]) this.#expireIfDue(r);
  }
}
