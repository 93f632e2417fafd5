/**
 * Optional notification of review requests: a JSON POST with a Slack-compatible body (`text`,
 * plus `blocks`-free structured fields under `bulwark`) when a request is opened and when it is
 * decided. Fire and forget: a slow or failing endpoint is logged (`review.notify-failed`) and never
 * delays or blocks a session or a decision.
 *
 * Trust boundary: the URL is the operator's; the body carries the command line and who asked,
 * so point it at a channel that may see them. Known limits: no retries, 5 s timeout, no signing.
 */
import type { AuditLog } from '../audit/index.js';
import type { ApprovalRequest } from './types.js';

const TIMEOUT_MS = 5000;

export type NotifyEvent = 'requested' | 'approved' | 'denied';

export function webhookBody(event: NotifyEvent, r: ApprovalRequest): Record<string, unknown> {
  const cmd = r.command.length > 500 ? `${r.command.slice(0, 500)}…` : r.command;
  const cats = [...new Set(r.intents.map((i) => i.category))].join(', ') || 'none';
  const last = r.decisions.at(-1);
  const head =
    event === 'requested'
      ? `Review requested ${r.id} by ${r.requester.subject} (${r.requester.kind}) on ${r.target}`
      : `Review ${r.id} ${event} by ${last?.by ?? '?'}${last?.comment ? `: ${last.comment}` : ''}`;
  return {
    text: `${head}\n\`${cmd.replace(/`/g, "'")}\`\n${cats} — rule ${r.rule}${r.reason ? `\nreason: ${r.reason}` : ''}\napprove: ssh <bastion> approvals approve ${r.id}`,
    bulwark: {
      event,
      id: r.id,
      status: r.status,
      requester: r.requester,
      target: r.target,
      command: r.command,
      commandHash: r.commandHash,
      categories: r.intents.map((i) => i.category),
      rule: r.rule,
      reason: r.reason ?? null,
      expiresAt: new Date(r.expiresAt).toISOString(),
      decisions: r.decisions,
    },
  };
}

export function notify(url: string | undefined, log: AuditLog, event: NotifyEvent, r: ApprovalRequest): void {
  if (url === undefined) return;
  void fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookBody(event, r)),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
    .then((res) => {
      if (!res.ok) log.warn('review.notify-failed', { id: r.id, event, status: res.status });
      return res.body?.cancel();
    })
    .catch((err: Error) => log.warn('review.notify-failed', { id: r.id, event, error: err.message }));
}
