/**
 * Reviews in a session: what a `review` verdict becomes once approvals exist. The judge either
 * finds an approval for exactly this command (single use: consumed) or opens a request; exec
 * clients then wait (humans by default) or get 75 at once (agents by default; `BULWARK_WAIT=1|0`
 * overrides); `approvals …` exec commands are answered here. See docs/reviews.md.
 *
 * Trust boundary: approvers are whoever the policy's `approve` action permits on the request's
 * target, judged with the request's intents and command; self-approval and agents are refused by
 * the store whatever the policy says. Known limits: waiting is per session (a wait ends with the
 * channel); a wait that times out leaves the request pending, so a later resend can still use it.
 */
import type { Config } from '../config/index.js';
import { findTarget } from '../config/index.js';
import type { Identity } from '../core/index.js';
import type { ApprovalRequest, ApprovalStore, MayApprove } from '../approvals/index.js';
import { requestFacts, type PolicyEngine } from '../policy/index.js';

export type WaitDefault = 'always' | 'tty' | 'never';

export interface ApprovalServices {
  readonly store: ApprovalStore;
  /** How long an exec client that waits is kept waiting before 75. */
  readonly waitTimeoutMs: number;
  /** Whether exec clients wait by default, per kind (`tty`: only when a terminal is attached). */
  readonly wait: { readonly human: WaitDefault; readonly agent: WaitDefault };
}

/** Whether this exec client waits: BULWARK_WAIT=1|0 from the client, else the default for its
 * kind. Humans wait by default only at a terminal: a script without one (`ssh host cmd` in CI)
 * would otherwise hang silently, and scripts already expect 75 with the id at once. */
export function waits(a: ApprovalServices, identity: Identity, clientEnv: Readonly<Record<string, string>>, tty: boolean): boolean {
  const v = clientEnv['BULWARK_WAIT'];
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no') return false;
  const d = a.wait[identity.kind];
  return d === 'always' || (d === 'tty' && tty);
}

/** The policy's `approve` action for this approver, judged on the request's facts. An unknown
 * target is judged as production (fail closed). */
export function approverCheck(config: Config, engine: () => PolicyEngine, approver: Identity): (r: ApprovalRequest) => MayApprove {
  return (r) => {
    const t = findTarget(config, r.target);
    const facts = requestFacts(approver, { name: r.target, environment: t?.environment ?? 'production', labels: t?.labels ?? [] });
    const d = engine().evaluate({ action: 'approve', ...facts, intents: r.intents, context: { ...facts.context, mode: r.mode, command: r.command } });
    return { allowed: d.verdict === 'allow', reason: d.verdict === 'allow' ? d.reason : `${d.reason} (rule ${d.rule})` };
  };
}

export type WaitOutcome = { readonly status: 'approved' | 'denied' | 'expired' | 'cancelled' | 'consumed'; readonly request: ApprovalRequest } | { readonly status: 'timeout' };

export interface Wait {
  readonly done: Promise<WaitOutcome>;
  /** Stops waiting without changing the request (e.g. the channel closed). */
  stop(): void;
}

/** Waits until the request leaves `pending`, or `timeoutMs` passes. `tick` is called every
 * `tickMs` with the milliseconds left, for a live status. */
export function waitForDecision(store: ApprovalStore, id: string, timeoutMs: number, tick: (leftMs: number) => void, tickMs = 1000): Wait {
  let finish: (o: WaitOutcome) => void = () => undefined;
  const done = new Promise<WaitOutcome>((r) => (finish = r));
  const deadline = Date.now() + timeoutMs;
  let over = false;
  const check = (r: ApprovalRequest | undefined) => {
    if (over || r === undefined || r.id !== id || r.status === 'pending') return;
    end();
    finish({ status: r.status, request: r });
  };
  const timer = setInterval(() => {
    const left = deadline - Date.now();
    // get() also notices an expiry the store's sweep has not reached yet.
    check(store.get(id));
    if (over) return;
    if (left <= 0) {
      end();
      finish({ status: 'timeout' });
    } else tick(left);
  }, tickMs);
  const end = () => {
    over = true;
    clearInterval(timer);
    store.off('change', check);
  };
  store.on('change', check);
  queueMicrotask(() => check(store.get(id)));
  return {
    done,
    stop: () => {
      end();
      finish({ status: 'timeout' });
    },
  };
}

/** An exec held for review whose client waits: status lines on stderr until an approver decides
 * (true: the approval was taken, run it now) or not (the exit status to end with). The client
 * leaving cancels the request. */
export async function waitForExec(a: ApprovalServices, id: string, subject: string, stderr: (s: string) => void, onClose: (cb: () => void) => void, onData: (cb: (d: Buffer) => void) => void): Promise<true | number> {
  stderr(`bulwark: waiting up to ${Math.round(a.waitTimeoutMs / 1000)} s for an approver: ssh <bastion> approvals approve ${id}\n`);
  let lastTick = Date.now();
  const wait = waitForDecision(a.store, id, a.waitTimeoutMs, (left) => {
    // A status line every 15 s: enough to show the session is alive without flooding a log.
    if (Date.now() - lastTick < 15_000) return;
    lastTick = Date.now();
    stderr(`bulwark: still waiting for approval of ${id} (${Math.ceil(left / 1000)} s left)\n`);
  });
  let gone = false;
  let interrupted = false;
  onClose(() => {
    gone = true;
    wait.stop();
    a.store.cancel(id, subject);
  });
  // Ctrl-C at a terminal (`ssh -t`) cancels, as in the guarded shell.
  onData((d) => {
    if (interrupted || !d.includes(3)) return;
    interrupted = true;
    wait.stop();
    a.store.cancel(id, subject);
  });
  const w = await wait.done;
  if (gone) return 1;
  if (interrupted) {
    stderr(`bulwark: ${id} cancelled\n`);
    return 130;
  }
  if (w.status === 'timeout') {
    stderr(`bulwark: no decision on ${id} yet; it stays pending until it expires: resend the same command once it is approved\n`);
    return 75;
  }
  if (w.status === 'approved') {
    const used = a.store.consume(subject, w.request.target, w.request.commandHash);
    if (used !== undefined) {
      stderr(`bulwark: ${id} approved by ${w.request.decisions.filter((d) => d.verdict === 'approve').map((d) => d.by).join(', ')}; running it\n`);
      return true;
    }
  }
  const last = w.request.decisions.at(-1);
  const why = w.status === 'denied' && last ? ` by ${last.by}${last.comment ? `: ${last.comment.replace(/[\u0000-\u001f\u007f]/g, ' ')}` : ''}` : '';
  stderr(`bulwark: ${id} ${w.status}${why}\n`);
  return w.status === 'denied' ? 77 : 75;
}
