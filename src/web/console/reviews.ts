/**
 * The reviews page for approvers: pending requests with the exact command, its intents, the rule,
 * the requester and their reason; approve or deny with a comment; a server-sent event stream so
 * the page updates without a reload. Decisions go through the approvals store's own rule
 * (`decide` with a `mayApprove` check), never around it.
 *
 * Trust boundary: the approver's identity comes from the web session, never from the form; the
 * caller has checked the approver group and the CSRF token. `mayApprove` refuses deciding one's
 * own request. Known limits: the store type is declared here structurally (src/approvals owns the
 * real one), so this module compiles and is tested without importing it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { esc, headers } from './http.js';
import type { ConsoleUser } from './sessions.js';

export interface ReviewPrincipal {
  readonly subject: string;
  readonly kind: string;
  readonly groups: readonly string[];
}

export interface ReviewRequest {
  readonly id: string;
  readonly requester: ReviewPrincipal;
  readonly target: string;
  readonly command: string;
  readonly intents: readonly { readonly category: string; readonly explanation: string }[];
  readonly rule: string;
  readonly ruleReason?: string;
  readonly reason: string | undefined;
  readonly createdAt: number | string;
  readonly expiresAt: number | string;
  readonly status: string;
  readonly decisions: readonly { readonly by: string; readonly verdict: string; readonly comment: string | undefined; readonly at: number | string }[];
  readonly requiredApprovals: number;
}

export type DecideResult = { ok: true; request: ReviewRequest } | { ok: false; code: string; message: string };

/** What the console needs of src/approvals' ApprovalStore. */
export interface ReviewStore {
  list(filter?: { status?: string }): ReviewRequest[] | Promise<ReviewRequest[]>;
  decide(
    id: string,
    approver: { subject: string; kind: 'human' | 'agent'; groups: string[] },
    verdict: 'approve' | 'deny',
    comment: string,
    mayApprove: (req: ReviewRequest) => { allowed: boolean; reason: string },
  ): DecideResult | Promise<DecideResult>;
  on(event: 'change', listener: (req: ReviewRequest) => void): unknown;
  off?(event: 'change', listener: (req: ReviewRequest) => void): unknown;
}

const when = (v: number | string): string => {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
};

function card(r: ReviewRequest, csrf: string): string {
  const intents = r.intents.map((i) => `<li><strong>${esc(i.category)}</strong>: ${esc(i.explanation)}</li>`).join('');
  const approvals = r.decisions.filter((d) => d.verdict === 'approve').length;
  return `<article class="review" id="review-${esc(r.id)}" aria-labelledby="rh-${esc(r.id)}">
<h2 id="rh-${esc(r.id)}">${esc(r.requester.subject)} on ${esc(r.target)} <span class="muted">${esc(r.id)}</span></h2>
<pre class="command"><code>${esc(r.command)}</code></pre>
<dl class="facts"><dt>Requester</dt><dd>${esc(r.requester.subject)} (${esc(r.requester.kind)}${r.requester.groups.length > 0 ? `, ${esc(r.requester.groups.join(', '))}` : ''})</dd>
<dt>Reason given</dt><dd>${esc(r.reason ?? '(none)')}</dd><dt>Rule</dt><dd><code>${esc(r.rule)}</code>${r.ruleReason === undefined ? '' : ` ${esc(r.ruleReason)}`}</dd>
<dt>Requested</dt><dd>${esc(when(r.createdAt))}, expires ${esc(when(r.expiresAt))}</dd>
<dt>Approvals</dt><dd>${approvals} of ${r.requiredApprovals}</dd></dl>
<h3>Intents</h3><ul class="intents">${intents || '<li>none</li>'}</ul>
<form method="post" action="/reviews/${encodeURIComponent(r.id)}/decide" class="decide">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<label for="c-${esc(r.id)}">Comment</label><textarea id="c-${esc(r.id)}" name="comment" rows="2" maxlength="2000"></textarea>
<button type="submit" name="verdict" value="approve">Approve</button> <button type="submit" name="verdict" value="deny" class="deny">Deny</button>
</form></article>`;
}

export async function reviewsFragment(store: ReviewStore, csrf: string): Promise<string> {
  const pending = await store.list({ status: 'pending' });
  if (pending.length === 0) return '<p id="no-reviews">No pending requests.</p>';
  return pending.map((r) => card(r, csrf)).join('\n');
}

export async function reviewsPage(store: ReviewStore | undefined, csrf: string): Promise<string> {
  if (store === undefined) return '<p role="status">Reviews are not enabled on this server.</p>';
  return `<p class="muted">Updates arrive without reloading.</p><div id="reviews" aria-live="polite">${await reviewsFragment(store, csrf)}</div>`;
}

/** The policy's `approve` action for a console user (serve wires it to the policy engine). */
export type ReviewPolicy = (approver: ConsoleUser & { readonly source: string }, req: ReviewRequest) => { allowed: boolean; reason: string };

/** The store's own decision (it refuses self-approval and agents itself), with the console's
 * rule (an approver group) and then the policy's `approve` action when one is given. */
export async function decide(store: ReviewStore, id: string, user: ConsoleUser, source: string, verdict: 'approve' | 'deny', comment: string, approverGroups: readonly string[], policy: ReviewPolicy | undefined): Promise<DecideResult> {
  return store.decide(id, { subject: user.subject, kind: user.kind, groups: [...user.groups] }, verdict, comment, (req) => {
    if (req.requester.subject === user.subject) return { allowed: false, reason: 'nobody decides their own request' };
    if (!user.groups.some((g) => approverGroups.includes(g))) return { allowed: false, reason: 'not in an approver group' };
    return policy === undefined ? { allowed: true, reason: 'member of an approver group' } : policy({ ...user, source }, req);
  });
}

/** Server-sent events: one `change` event (id and status) whenever a request changes. */
export function streamReviews(store: ReviewStore, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, headers({ 'content-type': 'text/event-stream', 'x-accel-buffering': 'no' }));
  res.write(': reviews\n\n');
  const listener = (r: ReviewRequest) => res.write(`event: change\ndata: ${JSON.stringify({ id: r.id, status: r.status })}\n\n`);
  store.on('change', listener);
  const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
  req.on('close', () => {
    clearInterval(ping);
    store.off?.('change', listener);
  });
}
