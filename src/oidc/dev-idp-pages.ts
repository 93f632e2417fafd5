/**
 * The embedded development IdP's own pages: the login form (demo engineer's email and password)
 * and the consent page, for any of the demo accounts (engineer, auditor). oidc-provider renders
 * the device-code pages itself and hands over to
 * these at /interaction/:uid.
 *
 * Trust boundary: form posts come from whoever can reach the loopback port; the password is
 * compared in constant time and every value echoed into HTML is escaped. Known limits: one
 * accounts, no rate limiting, no CSRF token on the interaction forms beyond oidc-provider's own
 * interaction cookie (acceptable for a loopback-only demo provider, not for production).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readLimited } from '../core/body.js';
import { esc } from '../core/html.js';
import { sameSecret } from '../core/secret.js';

export interface DemoAccount {
  readonly accountId: string;
  readonly email: string;
  readonly password: string;
  readonly groups: readonly string[];
  readonly principals: readonly string[];
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const body = await readLimited(req, 16_384);
  if (body === undefined) throw new Error('form too large');
  return new URLSearchParams(body.toString('utf8'));
}

function loginForm(res: ServerResponse, uid: string, status: number, error?: string): void {
  page(res, status, 'bulwark development sign-in', `${error ? `<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label>Email <input type="email" name="email" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form>`);
}

/** Handles /interaction/* requests; returns false when the URL is not one of ours. */
export async function handleInteraction(provider: Provider, accounts: readonly DemoAccount[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/confirm)?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
  if (!m) return false;
  const uid = m[1] as string;
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && m[2] === undefined) {
      if (details.prompt.name === 'login') loginForm(res, uid, 200);
      else {
        page(res, 200, 'Allow bulwark to obtain a certificate for you?', `<p>Client: ${esc(String(details.params['client_id']))}</p>
<form method="post" action="/interaction/${esc(uid)}/confirm"><button type="submit">Allow</button></form>`);
      }
      return true;
    }
    if (req.method === 'POST' && m[2] === '/login') {
      const form = await formBody(req);
      // Every account is compared (no early exit) so timing does not tell which emails exist.
      let account: DemoAccount | undefined;
      for (const a of accounts) if (sameSecret(form.get('email') ?? '', a.email) && sameSecret(form.get('password') ?? '', a.password)) account = a;
      if (account === undefined) {
        loginForm(res, uid, 401, 'Wrong email or password (the bulwark serve banner prints them).');
        return true;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.accountId } }, { mergeWithLastSubmission: false });
      return true;
    }
    if (req.method === 'POST' && m[2] === '/confirm') {
      const accountId = details.session?.accountId;
      if (accountId === undefined) throw new Error('no signed-in session for this interaction');
      const grant = (details.grantId !== undefined ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
      const d = details.prompt.details;
      if (Array.isArray(d['missingOIDCScope'])) grant.addOIDCScope((d['missingOIDCScope'] as string[]).join(' '));
      if (Array.isArray(d['missingOIDCClaims'])) grant.addOIDCClaims(d['missingOIDCClaims'] as string[]);
      const resources = d['missingResourceScopes'];
      if (resources !== null && typeof resources === 'object') {
        for (const [indicator, scopes] of Object.entries(resources as Record<string, string[]>)) grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return true;
    }
    page(res, 405, 'Method not allowed', '');
  } catch (e) {
    page(res, 400, 'Sign-in failed', `<p>${esc((e as Error).message)}</p><p>Start again from <code>bulwark login</code>.</p>`);
  }
  return true;
}
