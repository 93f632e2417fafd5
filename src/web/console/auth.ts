/**
 * Console sign-in: OIDC authorization code + PKCE against the configured issuer (the dev IdP's
 * console client in dev mode), the callback that turns a verified ID token into a web session,
 * and sign-out. Which issuer and client: `console.issuer`/`console.clientId`, else the dev IdP.
 *
 * Trust boundary: the ID token from the token endpoint is verified again by the same
 * TokenVerifier as certificate requests (signature via JWKS, iss, aud = the console's client id,
 * exp) and mapped with the issuer's claim mapping, so groups mean the same on both sides.
 * Known limits: one issuer for the console; the return path after sign-in must be a local path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { OidcIssuerConfig } from '../../config/schema.js';
import { describeError } from '../../core/errors.js';
import { beginWebLogin, completeWebLogin, OidcError, TokenVerifier, type DevIdp, type LoginTarget, type VerifiedToken } from '../../oidc/index.js';
import { sourceOf } from '../issuer.js';
import { cookie, cookies, esc, redirect, sendHtml } from './http.js';
import type { WebSessionStore } from './sessions.js';

export interface ConsoleLogin {
  readonly target: LoginTarget;
  verify(idToken: string): Promise<VerifiedToken>;
}

export const PENDING_COOKIE = 'bulwark_console_login';

/** The console's OIDC client, or undefined (with why) when none is configured. */
export function consoleLoginFor(config: Config, devIdp: DevIdp | undefined): ConsoleLogin | string {
  const c = config.console;
  let issuer: OidcIssuerConfig | undefined;
  let clientId = c.clientId;
  if (config.oidc.issuers.length > 0) {
    issuer = c.issuer === undefined ? config.oidc.issuers[0] : config.oidc.issuers.find((i) => i.issuer === c.issuer);
    if (issuer === undefined) return `console.issuer ${c.issuer ?? ''} is not one of oidc.issuers`;
    if (clientId === undefined) return 'set console.clientId (an OIDC web client with this console\'s callback URL)';
  } else if (devIdp?.consoleClientId !== undefined) {
    clientId = devIdp.consoleClientId;
    issuer = { issuer: devIdp.issuer, audience: [clientId], agentClients: [], kind: 'auto', claims: { subject: ['email', 'sub'], groups: 'groups', principals: 'principals' }, principalsByGroup: {} };
  } else {
    return 'no OIDC issuer is configured and the development IdP is not running';
  }
  // The console's ID tokens are addressed to its own client id, not to the CLI's.
  const verifier = new TokenVerifier([{ ...issuer, audience: [clientId] }], { clockToleranceSeconds: 30 });
  return {
    target: { issuer: issuer.issuer, clientId, ...(c.clientSecret === undefined ? {} : { clientSecret: c.clientSecret }) },
    verify: (t) => verifier.verify(t),
  };
}

export interface AuthDeps {
  readonly sessions: WebSessionStore;
  readonly log: AuditLog;
  readonly origin: string;
  readonly secure: boolean;
  readonly cookieName: string;
  readonly login: () => ConsoleLogin | string;
  readonly fail: (res: ServerResponse, status: number, code: string, message: string) => void;
}

const localPath = (p: string | null): string => (p !== null && /^\/(?!\/)[\x21-\x7e]*$/.test(p) ? p : '/');

export async function startLogin(d: AuthDeps, res: ServerResponse, url: URL): Promise<void> {
  const login = d.login();
  if (typeof login === 'string') return d.fail(res, 503, 'ERR_WEB_CONSOLE_LOGIN', `sign-in is not available: ${login}`);
  try {
    const { url: to, pending } = await beginWebLogin(login.target, `${d.origin}/callback`);
    const key = d.sessions.begin(pending, localPath(url.searchParams.get('return')));
    // The provider's redirect back is a cross-site navigation, on which browsers do not send
    // Strict cookies: this one-use, 10-minute key is Lax (it grants nothing by itself).
    redirect(res, to, { 'set-cookie': cookie(PENDING_COOKIE, key, { secure: d.secure, maxAge: 600 }).replace('SameSite=Strict', 'SameSite=Lax') });
  } catch (e) {
    d.fail(res, 503, 'ERR_WEB_CONSOLE_LOGIN', describeError(e));
  }
}

export async function finishLogin(d: AuthDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const login = d.login();
  const pending = d.sessions.takePending(cookies(req).get(PENDING_COOKIE));
  const source = sourceOf(req);
  const clear = cookie(PENDING_COOKIE, '', { secure: d.secure, maxAge: 0 });
  if (typeof login === 'string' || pending === undefined) {
    d.log.warn('web.login.failed', { source, reason: 'no sign-in in progress (expired, replayed or started elsewhere)' });
    res.setHeader('set-cookie', clear);
    return d.fail(res, 400, 'ERR_WEB_CONSOLE_LOGIN', 'no sign-in in progress here (it expired or was already used); start again');
  }
  let verified: VerifiedToken;
  try {
    const callback = new URL(`${d.origin}/callback${url.search}`);
    verified = await login.verify(await completeWebLogin(login.target, callback, pending.login));
  } catch (e) {
    const code = e instanceof OidcError ? e.code : 'ERR_WEB_CONSOLE_LOGIN';
    d.log.warn('web.login.failed', { source, code, reason: describeError(e) });
    res.setHeader('set-cookie', clear);
    return d.fail(res, 401, 'ERR_WEB_CONSOLE_LOGIN', `sign-in failed: ${describeError(e)}`);
  }
  const id = verified.identity;
  const s = d.sessions.create({ subject: id.subject, kind: id.kind, groups: id.groups, issuer: id.issuer });
  d.log.event('web.login', { subject: id.subject, kind: id.kind, groups: id.groups, issuer: id.issuer, source });
  // Not a 302: the browser arrived here from the provider (cross-site), and a redirect would keep
  // that context, so the Strict session cookie would not be sent on the next request. A page on
  // our own origin that moves on starts a same-site navigation.
  res.setHeader('set-cookie', [clear, cookie(d.cookieName, s.id, { secure: d.secure })]);
  sendHtml(res, 200, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${esc(pending.returnTo)}"><title>Signed in</title></head><body><main><p>Signed in as ${esc(id.subject)}. <a href="${esc(pending.returnTo)}">Continue</a></p></main></body></html>`);
}
