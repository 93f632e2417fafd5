/**
 * Local port forwarding (`ssh -L`, a direct-tcpip channel): the certificate must carry
 * permit-port-forwarding and policy must allow `port-forward` for this destination; then bulwark
 * connects to HOST:PORT and pipes both ways, logging the open (destination, originator) and the
 * close (bytes each way, duration). Anything else is refused and logged with the reason.
 *
 * Trust boundary: bulwark makes the TCP connection from its own host, so the destination is
 * reachable from the bastion's network position; policy (context.command = "HOST:PORT") is what
 * limits where. Bytes through a forward are never judged: agents are refused by default.
 * Known limits: no per-forward bandwidth or idle limit; the destination is resolved by the
 * bastion's resolver at connect time, after the policy saw the name.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Identity } from '../../core/index.js';
import type { AuditLog } from '../../audit/index.js';
import { findTarget } from '../../config/index.js';
import type { SessionServices } from '../session.js';
import { askTransfer } from './policy.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface ForwardRequest {
  readonly identity: Identity;
  readonly targetName: string;
  /** The certificate's permit-port-forwarding extension. */
  readonly permitted: boolean;
  readonly destHost: string;
  readonly destPort: number;
  /** Where the client says the forwarded connection came from (its -L listener's peer). */
  readonly origHost: string;
  readonly origPort: number;
  readonly log: AuditLog;
  readonly accept: () => Duplex | undefined;
  readonly reject: () => void;
}

/** A host name or address a policy can read: no control bytes, no spaces, DNS length. */
function plausibleHost(h: string): boolean {
  return h.length > 0 && h.length <= 253 && /^[A-Za-z0-9._:%-]+$/.test(h);
}

export function serveForward(req: ForwardRequest, services: SessionServices): void {
  const destination = `${req.destHost}:${req.destPort}`;
  const fields = { destination, originator: `${req.origHost}:${req.origPort}` };
  const log = req.log.child({ target: req.targetName, mode: 'port-forward' });
  const refuse = (reason: string, extra: Record<string, unknown> = {}) => {
    log.warn('session.refused', { request: 'direct-tcpip', ...fields, reason, ...extra }, reason);
    req.reject();
  };
  if (!req.permitted) return refuse('the certificate has no permit-port-forwarding extension');
  if (!plausibleHost(req.destHost) || !Number.isInteger(req.destPort) || req.destPort < 1 || req.destPort > 65535) {
    return refuse(`not a forwardable destination: ${JSON.stringify(destination)}`);
  }
  const target = findTarget(services.config, req.targetName);
  if (target === undefined) return refuse(`unknown target "${req.targetName}"`);
  const decision = askTransfer(services.judge, 'port-forward', req.identity, target, destination);
  if (decision.verdict !== 'allow') {
    return refuse(`port forwarding refused by rule ${decision.rule}: ${decision.reason}`, { rule: decision.rule, verdict: decision.verdict });
  }

  const sock: Socket = connect({ host: req.destHost, port: req.destPort });
  const timer = setTimeout(() => sock.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
  sock.once('error', (err) => {
    clearTimeout(timer);
    refuse(`cannot reach ${destination}: ${err.message}`, { rule: decision.rule });
  });
  sock.once('connect', () => {
    clearTimeout(timer);
    sock.removeAllListeners('error');
    const ch = req.accept();
    if (ch === undefined) {
      sock.destroy();
      return;
    }
    pipeForward(ch, sock, log, { ...fields, rule: decision.rule });
  });
}

/** Pipes both ways with backpressure; logs open now and close once, when both sides are gone. */
function pipeForward(ch: Duplex, sock: Socket, log: AuditLog, fields: Record<string, unknown>): void {
  const opened = Date.now();
  let toDestination = 0;
  let toClient = 0;
  log.event('transfer.forward.open', fields);
  ch.on('data', (d: Buffer) => (toDestination += d.length));
  sock.on('data', (d: Buffer) => (toClient += d.length));
  ch.pipe(sock);
  sock.pipe(ch);
  let closed = false;
  const close = (why: string) => {
    if (closed) return;
    closed = true;
    sock.destroy();
    ch.destroy();
    log.event('transfer.forward.close', { ...fields, bytesToDestination: toDestination, bytesToClient: toClient, durationMs: Date.now() - opened, closedBy: why });
  };
  sock.on('error', () => close('destination error'));
  ch.on('error', () => close('channel error'));
  sock.on('close', () => close('destination'));
  ch.on('close', () => close('client'));
}
