/**
 * Obtaining tokens from an OIDC provider for `bulwark login` (openid-client): device
 * authorization grant (RFC 8628), authorization code + PKCE with a loopback redirect (RFC 8252),
 * and client credentials for agents.
 *
 * Trust boundary: the provider is reached over HTTPS, or plain HTTP only on loopback (the
 * development IdP); openid-client checks the ID token it receives (issuer, audience, signature via
 * the provider's JWKS, PKCE, state). The token then goes to bulwark, which verifies it again.
 * Known limits: no refresh-token reuse across runs (each login is a fresh grant); the loopback
 * callback server accepts exactly one redirect and then closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { describeError } from '../core/errors.js';
import { OidcError } from './errors.js';

export interface LoginTarget {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scope?: string;
}

const LOOPBACK_HTTP = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;
const DEFAULT_SCOPE = 'openid email groups';

/** Discovery with a clear "unreachable" error; plain HTTP is allowed for loopback issuers only. */
export async function discoverIssuer(target: LoginTarget): Promise<client.Configuration> {
  const insecure = LOOPBACK_HTTP.test(target.issuer);
  try {
    return await client.discovery(
      new URL(target.issuer),
      target.clientId,
      target.clientSecret === undefined ? { token_endpoint_auth_method: 'none' } : undefined,
      target.clientSecret === undefined ? client.None() : client.ClientSecretBasic(target.clientSecret),
      insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
    );
  } catch (e) {
    throw new OidcError('ERR_OIDC_IDP_UNREACHABLE', `the identity provider ${target.issuer} is unreachable: ${describeError(e)}. Existing certificates keep working until they expire.`, { cause: e });
  }
}

function failed(what: string, e: unknown): OidcError {
  if (e instanceof OidcError) return e;
  let detail = describeError(e);
  if (e instanceof client.ResponseBodyError) detail = `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`;
  // A 401 with WWW-Authenticate (e.g. a wrong client secret) carries the OAuth error in the challenge.
  if (e instanceof client.WWWAuthenticateChallengeError) {
    const p = e.cause[0]?.parameters;
    detail = `${p?.error ?? `HTTP ${e.status}`}${p?.error_description ? `: ${p.error_description}` : ''}`;
  }
  const unreachable = e instanceof TypeError || /fetch failed|ECONNREFUSED|timed? ?out/i.test(detail);
  return new OidcError(unreachable ? 'ERR_OIDC_IDP_UNREACHABLE' : 'ERR_OIDC_LOGIN_FAILED', `${what} failed: ${detail}${unreachable ? ' (the identity provider is unreachable)' : ''}`, { cause: e });
}

export interface DevicePrompt {
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  readonly userCode: string;
  readonly expiresIn: number;
}

/** RFC 8628: shows the user a URL and code, then polls until they approve; returns the ID token. */
export async function deviceLogin(target: LoginTarget, show: (p: DevicePrompt) => void, signal?: AbortSignal): Promise<string> {
  const config = await discoverIssuer(target);
  try {
    const auth = await client.initiateDeviceAuthorization(config, { scope: target.scope ?? DEFAULT_SCOPE });
    show({ verificationUri: auth.verification_uri, verificationUriComplete: auth.verification_uri_complete, userCode: auth.user_code, expiresIn: auth.expires_in });
    const tokens = await client.pollDeviceAuthorizationGrant(config, auth, undefined, signal ? { signal } : undefined);
    if (tokens.id_token === undefined) throw new OidcError('ERR_OIDC_LOGIN_FAILED', 'the provider returned no ID token (is the openid scope allowed for this client?)');
    return tokens.id_token;
  } catch (e) {
    throw failed('device login', e);
  }
}

/**
 * Authorization code + PKCE (S256) with a one-shot loopback redirect server on 127.0.0.1 and an
 * OS-chosen port (RFC 8252 §7.3). `open` receives the authorization URL to show or launch.
 */
export async function browserLogin(target: LoginTarget, open: (url: string) => void, timeoutMs = 300_000): Promise<string> {
  const config = await discoverIssuer(target);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  let settle: (u: URL) => void = () => undefined;
  const callback = new Promise<URL>((resolve) => (settle = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('bulwark: signed in. You can close this tab and return to the terminal.\n');
    settle(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  try {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: target.scope ?? DEFAULT_SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    open(url.href);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OidcError('ERR_OIDC_LOGIN_FAILED', `no sign-in within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
    });
    const current = await Promise.race([callback, timeout]).finally(() => clearTimeout(timer));
    const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state });
    if (tokens.id_token === undefined) throw new OidcError('ERR_OIDC_LOGIN_FAILED', 'the provider returned no ID token');
    return tokens.id_token;
  } catch (e) {
    throw failed('browser login', e);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Client credentials for an agent: returns the access token (a JWT bulwark can verify). */
export async function clientCredentialsLogin(target: LoginTarget & { readonly resource?: string }): Promise<string> {
  if (target.clientSecret === undefined) throw new OidcError('ERR_OIDC_LOGIN_FAILED', 'client credentials need a client secret (BULWARK_CLIENT_SECRET or --client-secret-file)');
  const config = await discoverIssuer(target);
  try {
    const params: Record<string, string> = {};
    if (target.scope !== undefined) params['scope'] = target.scope;
    if (target.resource !== undefined) params['resource'] = target.resource;
    const tokens = await client.clientCredentialsGrant(config, params);
    return tokens.access_token;
  } catch (e) {
    throw failed('client credentials login', e);
  }
}
