/**
 * Server-side OIDC authorization code + PKCE for a web application (the auditor console): build
 * the authorization URL with a fresh PKCE verifier, state and nonce, then exchange the code the
 * browser brings back. openid-client stays in oidc/; web/ only sees URLs and an ID token.
 *
 * Trust boundary: the callback URL is attacker-controlled until openid-client has matched its
 * state to the pending login and the token endpoint has accepted the code with our PKCE
 * verifier; the ID token is then checked (iss, aud, nonce, exp) by openid-client, and the caller
 * verifies it again with TokenVerifier (signature via JWKS) before trusting any claim.
 * Known limits: discovery is cached per issuer/client for the process lifetime; no refresh tokens
 * (a console session ends when its own lifetime does, then the user signs in again).
 */
import * as client from 'openid-client';
import { OidcError } from './errors.js';
import { discoverIssuer, type LoginTarget } from './login.js';

/** What the server keeps between redirecting to the provider and the callback (never sent out). */
export interface PendingWebLogin {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

const configs = new Map<string, Promise<client.Configuration>>();

function configFor(target: LoginTarget): Promise<client.Configuration> {
  const key = `${target.issuer}\u0000${target.clientId}`;
  let c = configs.get(key);
  if (c === undefined) {
    c = discoverIssuer(target);
    // A failed discovery (IdP down) must not be cached: the next sign-in tries again.
    c.catch(() => configs.delete(key));
    configs.set(key, c);
  }
  return c;
}

/** The provider URL to send the browser to, and what to keep for the callback. */
export async function beginWebLogin(target: LoginTarget, redirectUri: string): Promise<{ url: string; pending: PendingWebLogin }> {
  const config = await configFor(target);
  const pending: PendingWebLogin = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), redirectUri };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: target.scope ?? 'openid email groups',
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending };
}

/** Exchanges the code in `callbackUrl` (the full URL the browser was redirected to) for an ID token. */
export async function completeWebLogin(target: LoginTarget, callbackUrl: URL, pending: PendingWebLogin): Promise<string> {
  const config = await configFor(target);
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    }, { redirect_uri: pending.redirectUri });
    if (tokens.id_token === undefined) throw new OidcError('ERR_OIDC_LOGIN_FAILED', 'the provider returned no ID token');
    return tokens.id_token;
  } catch (e) {
    if (e instanceof OidcError) throw e;
    const detail = e instanceof client.ResponseBodyError ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : (e as Error).message;
    throw new OidcError('ERR_OIDC_LOGIN_FAILED', `console sign-in failed: ${detail}`, { cause: e });
  }
}
