/**
 * The certificate issuing endpoint: `POST /v1/certificates` with `{ publicKey, token,
 * principals? }` → a short-lived OpenSSH user certificate for the identity the OIDC token proves.
 * Also `GET /v1/login` (what `bulwark login` needs: issuer, client id, SSH address and host key)
 * and `GET /v1/ca` (the CA public key line).
 *
 * Trust boundary: everything in a request is hostile. The token is verified by oidc/ (never here;
 * web/ does not import openid-client); the principals, groups and kind come only from verified
 * claims and configuration, a client can only narrow them. Every issuance and refusal is audited.
 * Known limits: the source address is the TCP peer (no X-Forwarded-For: put no proxy in front,
 * or pinning and the refusal limit apply to the proxy); JSON only.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../audit/index.js';
import { fingerprint, issueCertificate, IssueError, parsePublicKey, type SerialLog } from '../ca/index.js';
import type { Config } from '../config/index.js';
import { readLimited } from '../core/body.js';
import { describeError } from '../core/errors.js';
import { OidcError, type LoginInfo, type OidcErrorCode, type VerifiedToken } from '../oidc/index.js';
import { RefusalLimiter } from './limiter.js';

export type { LoginInfo };

export interface IssuerDeps {
  readonly verify: (token: string) => Promise<VerifiedToken>;
  readonly caKey: KeyObject;
  readonly caPublicLine: string;
  readonly serials: SerialLog;
  readonly certificates: Config['certificates'];
  readonly log: AuditLog;
  readonly loginInfo: LoginInfo;
  readonly now?: () => number;
  /** Refused requests allowed per source address per minute before it gets 429s. */
  readonly maxRefusalsPerMinute?: number;
}

const MAX_BODY = 64 * 1024;
/** HTTP status per token failure: the IdP being down is not the caller's fault. */
const STATUS_OF: Partial<Record<OidcErrorCode, number>> = { ERR_OIDC_IDP_UNREACHABLE: 503, ERR_OIDC_CLAIMS: 403 };

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields: Record<string, unknown> = {}) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'send the request as Content-Type: application/json');
  const body = await readLimited(req, MAX_BODY);
  if (body === undefined) throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', `request body is larger than ${MAX_BODY} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export const sourceOf = (req: IncomingMessage): string => (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');

async function issue(deps: IssuerDeps, req: IncomingMessage, source: string): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  const { publicKey, token, principals: requested } = body;
  if (typeof publicKey !== 'string' || publicKey.length > 16_384) throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'publicKey must be an SSH public key line, e.g. the contents of id_ed25519.pub');
  if (typeof token !== 'string' || token === '') throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'token must be an OIDC ID token or JWT access token (run `bulwark login`)');
  if (requested !== undefined && (!Array.isArray(requested) || requested.length === 0 || !requested.every((p) => typeof p === 'string'))) {
    throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', 'principals, when given, must be a non-empty array of login names');
  }
  let key;
  try {
    key = parsePublicKey(publicKey.trim());
  } catch (e) {
    throw new Refusal(400, 'ERR_WEB_BAD_REQUEST', `publicKey is not a usable SSH public key: ${describeError(e)}`);
  }
  let verified: VerifiedToken;
  try {
    verified = await deps.verify(token);
  } catch (e) {
    if (e instanceof OidcError) throw new Refusal(STATUS_OF[e.code] ?? 401, e.code, e.message);
    throw e;
  }
  const id = verified.identity;
  const who = { subject: id.subject, kind: id.kind, client: id.clientId, issuer: id.issuer };
  if (id.principals.length === 0) {
    throw new Refusal(403, 'ERR_WEB_NO_PRINCIPALS', `${id.subject} is granted no SSH login names: ask an administrator to map one of your groups (${id.groups.join(', ') || 'none'}) in principalsByGroup, or to set the "principals" claim`, who);
  }
  const principals = (requested as string[] | undefined) ?? [...id.principals];
  const notGranted = principals.filter((p) => !id.principals.includes(p));
  if (notGranted.length > 0) {
    throw new Refusal(403, 'ERR_WEB_PRINCIPAL_NOT_GRANTED', `${id.subject} may log in as ${id.principals.join(', ')}, not as ${notGranted.join(', ')}`, { ...who, principals });
  }
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const c = deps.certificates;
  const validity = Math.min(id.kind === 'human' ? c.humanValidity : c.agentValidity, c.maxValidity);
  const validBefore = now + validity;
  const serial = deps.serials.next(id.subject);
  const extensions: Record<string, string | null> = { 'kind@bulwark': id.kind };
  if (id.groups.length > 0) extensions['groups@bulwark'] = id.groups.join(',');
  // Only what the identity needs: people get a terminal; agents run exec requests only.
  if (id.kind === 'human') extensions['permit-pty'] = null;
  const criticalOptions: Record<string, string> = {};
  if (c.sourceAddressPinning) criticalOptions['source-address'] = source;
  const cert = issueCertificate({ caKey: deps.caKey, publicKey: key.blob, keyId: id.subject, principals, serial, validAfter: now - 60, validBefore, kind: 'user', criticalOptions, extensions });
  deps.log.event('cert.issued', {
    ...who,
    serial: serial.toString(),
    principals,
    groups: id.groups,
    ...(id.droppedGroups.length > 0 ? { droppedGroups: id.droppedGroups } : {}),
    source,
    validBefore: new Date(validBefore * 1000).toISOString(),
    keyFingerprint: fingerprint(key.blob),
  });
  return { certificate: cert.line, serial: serial.toString(), validBefore, principals, kind: id.kind, groups: id.groups, subject: id.subject };
}

/** The request handler; mount it on an http(s) server (see services.ts). */
export function createIssuerHandler(deps: IssuerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const limiter = new RefusalLimiter(deps.maxRefusalsPerMinute ?? 30, 60_000, deps.now);
  return (req, res) => {
    const source = sourceOf(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v1/certificates' && limiter.blocked(source)) {
      const message = 'too many refused certificate requests from this address; wait a minute, then fix the cause of the earlier refusals';
      deps.log.warn('cert.refused', { code: 'ERR_WEB_RATE_LIMITED', reason: message, status: 429, source });
      return send(res, 429, { error: 'ERR_WEB_RATE_LIMITED', message });
    }
    if (req.method === 'GET' && path === '/v1/login') return send(res, 200, deps.loginInfo);
    if (req.method === 'GET' && path === '/v1/ca') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${deps.caPublicLine}\n`);
      return;
    }
    if (path !== '/v1/certificates') return send(res, 404, { error: 'ERR_WEB_NOT_FOUND', message: 'POST /v1/certificates, GET /v1/login or GET /v1/ca' });
    if (req.method !== 'POST') return send(res, 400, { error: 'ERR_WEB_BAD_REQUEST', message: 'use POST' });
    issue(deps, req, source).then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        const r =
          e instanceof Refusal ? e
          : e instanceof IssueError ? new Refusal(e.code === 'ERR_CERT_ISSUE_INVALID' ? 400 : 500, e.code, e.message)
          : new Refusal(500, 'ERR_WEB_INTERNAL', `internal error: ${describeError(e)}`);
        // The IdP being down is not the caller's doing; do not count it against them.
        if (r.status !== 503) limiter.refused(source);
        deps.log.warn('cert.refused', { code: r.code, reason: r.message, status: r.status, source, ...r.fields });
        send(res, r.status, { error: r.code, message: r.message });
      },
    );
  };
}
