/**
 * Asking policy about a transfer channel (`sftp`, `port-forward`), the way guarded/judge.ts asks
 * about a command: principal = the certificate's identity, resource = the session's target, context
 * with the source address and certificate serial. For `port-forward` the destination goes in
 * `context.command` as `HOST:PORT` (the schema has no separate field; see docs/transfers.md).
 *
 * Trust boundary: the identity is verified; the destination is what the client asked for. A thrown
 * error becomes a fail-closed deny, never an allow.
 */
import { failClosed, type Decision } from '../../core/decision.js';
import type { Identity } from '../../core/index.js';
import type { TargetConfig } from '../../config/index.js';
import { requestFacts } from '../../policy/index.js';
import type { JudgeServices } from '../guarded/judge.js';

export function askTransfer(
  judge: JudgeServices,
  action: 'sftp' | 'port-forward',
  identity: Identity,
  target: TargetConfig,
  destination?: string,
): Decision {
  try {
    const facts = requestFacts(identity, target);
    return judge.engine().evaluate({
      action,
      ...facts,
      intents: [],
      context: { ...facts.context, mode: 'exec', tty: false, ...(destination === undefined ? {} : { command: destination }) },
    });
  } catch (err) {
    return failClosed(`policy evaluation failed: ${(err as Error).message}`);
  }
}
