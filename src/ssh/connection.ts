/**
 * One SSH connection: certificate authentication, then session channels. SFTP and local port
 * forwarding are decided by policy in session/transfer/ (`sftp`, `port-forward`; agents refused by
 * default). Remote forwarding (tcpip-forward), unix socket forwarding, agent and X11 forwarding
 * are refused with a logged reason: nothing governs what would flow back through them.
 */
import { randomBytes } from 'node:crypto';
import type { AuthContext, ClientInfo, Connection, PseudoTtyInfo, ServerChannel, Session } from 'ssh2';
import { identityFields, type Identity } from '../core/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { findTarget } from '../config/index.js';
import { acceptEnv, startSession, type PtyRequest, type SessionHandle, type SessionServices } from '../session/index.js';
import { serveForward, serveSftp } from '../session/transfer/index.js';
import { adaptChannel } from './channel.js';

export interface Permits {
  readonly pty: boolean;
  readonly portForwarding: boolean;
  readonly agentForwarding: boolean;
  readonly x11: boolean;
}

export type AuthDecision =
  | { ok: true; identity: Identity; permits: Permits; forceCommand?: string | undefined; signatureVerified: boolean }
  | { ok: false; code: string; reason: string; claimed?: object | undefined };

export interface AuthRequest {
  readonly certBlob: Buffer;
  readonly keyAlgo: string;
  readonly signature: Buffer | undefined;
  readonly signedData: Buffer | undefined;
  /** The certificate principal being asked for (the login part of `login+target`). */
  readonly username: string;
  readonly source: { readonly address: string; readonly port: number };
}

export interface RateLimiter {
  isBlocked(address: string): boolean;
  recordFailure(address: string): void;
  recordSuccess(address: string): void;
}

export interface ConnectionDeps {
  readonly config: Config;
  readonly services: SessionServices;
  readonly log: AuditLog;
  readonly authorize: (req: AuthRequest) => AuthDecision;
  readonly rateLimiter: RateLimiter;
  /** Registers a live session so shutdown can tell it; returns the unregister function. */
  readonly track: (handle: SessionHandle) => () => void;
}

const CERT_ALGO = /-cert-v01@openssh\.com$/;

/** `login` or `login+target`: the login is the certificate principal, the target a configured name. */
export function splitUsername(username: string): { login: string; target: string | undefined } {
  const i = username.indexOf('+');
  return i < 0 ? { login: username, target: undefined } : { login: username.slice(0, i), target: username.slice(i + 1) };
}

export function handleConnection(client: Connection, info: ClientInfo, deps: ConnectionDeps): void {
  const source = { address: info.ip, port: info.port };
  let log = deps.log.child({ conn: randomBytes(4).toString('hex'), source: `${info.ip}:${info.port}` });
  const opened = Date.now();
  log.event('conn.open', { client: info.header?.identRaw });
  let identity: Identity | undefined;
  let permits: Permits | undefined;
  let forceCommand: string | undefined;
  let targetName: string | undefined;

  client.on('error', (err: Error) => log.warn('conn.error', { error: err.message }));
  client.on('close', () => log.event('conn.close', { durationMs: Date.now() - opened }));

  client.on('authentication', (ctx: AuthContext) => {
    const refuse = (code: string, reason: string, count = true, claimed?: object) => {
      if (count) deps.rateLimiter.recordFailure(source.address);
      log.warn('auth.failure', { method: ctx.method, user: ctx.username, code, reason, claimed });
      ctx.reject(['publickey']);
    };
    if (deps.rateLimiter.isBlocked(source.address)) {
      log.warn('auth.ratelimited', { user: ctx.username }, 'too many failed authentications from this address');
      ctx.reject([]);
      return;
    }
    if (ctx.method === 'none') {
      ctx.reject(['publickey']);
      return;
    }
    if (ctx.method !== 'publickey') {
      refuse('AUTH_METHOD', `${ctx.method} authentication is not accepted; use an OpenSSH certificate`);
      return;
    }
    if (!CERT_ALGO.test(ctx.key.algo)) {
      // Clients offer every key they hold; only count the ones that signed.
      refuse('AUTH_PLAIN_KEY', `plain public key (${ctx.key.algo}) without a certificate is refused`, ctx.signature !== undefined);
      return;
    }
    const { login, target } = splitUsername(ctx.username);
    const targetConfig = findTarget(deps.config, target ?? deps.config.defaultTarget);
    if (targetConfig === undefined) {
      refuse('AUTH_UNKNOWN_TARGET', `unknown target "${target}"`);
      return;
    }
    const decision = deps.authorize({
      certBlob: ctx.key.data,
      keyAlgo: ctx.key.algo,
      signature: ctx.signature,
      signedData: ctx.blob,
      username: login,
      source,
    });
    if (!decision.ok) {
      refuse(decision.code, decision.reason, true, decision.claimed);
      return;
    }
    if (!decision.signatureVerified) {
      // The client's "would you take this key?" query: the certificate is acceptable, and the
      // client must now prove it holds the key by signing. Nobody is logged in on this.
      if (ctx.signature === undefined) ctx.accept();
      else refuse('AUTH_USER_SIGNATURE_INVALID', 'signature was not verified');
      return;
    }
    deps.rateLimiter.recordSuccess(source.address);
    identity = decision.identity;
    permits = decision.permits;
    forceCommand = decision.forceCommand;
    targetName = targetConfig.name;
    log = log.child(identityFields(identity));
    log.event('auth.success', { target: targetName, validBefore: new Date(identity.validBefore).toISOString(), forceCommand });
    ctx.accept();
  });

  client.on('ready', () => {
    if (identity === undefined || permits === undefined || targetName === undefined) {
      client.end();
      return;
    }
    const id = identity;
    const p = permits;
    const target = findTarget(deps.config, targetName);
    client.on('session', (accept) => {
      const session = accept();
      handleSession(session, { id, permits: p, forceCommand, targetName: target?.name ?? deps.config.defaultTarget, deps, log });
    });
    const refuseChannel = (what: string) => (_accept: unknown, reject: () => void) => {
      log.warn('session.refused', { request: what }, `${what} is not allowed through bulwark`);
      reject();
    };
    client.on('tcpip', (accept, reject, info) =>
      serveForward(
        { identity: id, targetName: target?.name ?? deps.config.defaultTarget, permitted: p.portForwarding, destHost: info.destIP, destPort: info.destPort, origHost: info.srcIP, origPort: info.srcPort, log, accept: () => accept() ?? undefined, reject },
        deps.services,
      ),
    );
    client.on('openssh.streamlocal', refuseChannel('unix socket forwarding'));
    client.on('request', (_accept, reject, name) => {
      log.warn('session.refused', { request: name }, `global request ${name} is not allowed through bulwark`);
      reject?.();
    });
  });
}

interface SessionDeps {
  readonly id: Identity;
  readonly permits: Permits;
  readonly forceCommand: string | undefined;
  readonly targetName: string;
  readonly deps: ConnectionDeps;
  readonly log: AuditLog;
}

function handleSession(session: Session, s: SessionDeps): void {
  let pty: PtyRequest | undefined;
  const clientEnv: Record<string, string> = {};
  let handle: SessionHandle | undefined;
  const refuse = (request: string, reason: string, reject: (() => void) | undefined) => {
    s.log.warn('session.refused', { request }, reason);
    reject?.();
  };

  session.on('pty', (accept, reject, info: PseudoTtyInfo) => {
    if (!s.permits.pty) return refuse('pty-req', 'the certificate has no permit-pty extension', reject);
    pty = { term: info.term || 'xterm', cols: info.cols || 80, rows: info.rows || 24 };
    accept?.();
  });
  session.on('env', (accept, reject, info) => {
    if (acceptEnv(s.deps.config.acceptEnv, info.key, info.val)) {
      clientEnv[info.key] = info.val;
      accept?.();
    } else reject?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    handle?.resize(info.cols, info.rows);
    accept?.();
  });
  session.on('signal', (accept, reject, info) => {
    const name = info.name.replace(/^SIG/, '');
    if (handle?.signal(name)) accept?.();
    else reject?.();
  });
  session.on('auth-agent', (_a, reject) => refuse('auth-agent', 'agent forwarding is not allowed through bulwark', reject));
  session.on('x11', (_a, reject) => refuse('x11', 'X11 forwarding is not allowed through bulwark', reject));
  // No 'sftp' listener: ssh2 then hands the sftp subsystem here as a raw channel, which
  // session/transfer/ pipes to sftp-server (ssh2's own SFTP object would parse it for us).
  session.on('subsystem', (accept, reject, info) => {
    if (info.name !== 'sftp') return refuse(`subsystem ${info.name}`, `subsystem ${info.name} is not available`, reject);
    void serveSftp(
      {
        identity: s.id,
        targetName: s.targetName,
        clientEnv,
        log: s.log,
        accept: () => {
          const ch = accept?.();
          if (ch === undefined) return undefined;
          const adapted = adaptChannel(ch);
          return { stream: ch, exit: (code: number) => adapted.exit({ code, signal: undefined }) };
        },
        reject: () => reject?.(),
      },
      s.deps.services,
    ).then((h) => {
      if (h === undefined) return;
      const untrack = s.deps.track(h);
      void h.done.finally(untrack);
    });
  });

  const start = (command: string | undefined, accept: () => ServerChannel) => {
    const channel = adaptChannel(accept());
    void startSession(
      { identity: s.id, targetName: s.targetName, clientEnv, pty, forceCommand: s.forceCommand, command, log: s.log },
      channel,
      s.deps.services,
    ).then((h) => {
      handle = h;
      const untrack = s.deps.track(h);
      void h.done.finally(untrack);
    });
  };
  session.on('shell', (accept) => start(undefined, accept));
  session.on('exec', (accept, _reject, info) => start(info.command, accept));
}
