/**
 * The embedded development identity provider: oidc-provider on loopback with one demo engineer
 * (password login), one demo auditor (console only), one demo agent client (client
 * credentials), the bulwark CLI as a public client (device flow, authorization code + PKCE with a
 * loopback redirect) and, when asked, the auditor console as a web client. `bulwark serve`
 * starts it when no issuer is configured, so `bulwark login` then `ssh` work with nothing else.
 *
 * Trust boundary: binds to loopback only (config refuses anything else); anyone on this host who
 * reads the banner or state/dev-idp.json can sign in as the demo engineer, which is the point of
 * a demo and why it never starts once a real issuer is configured.
 * Known limits: in-memory sessions and grants (lost on restart; tokens stay verifiable because
 * the signing key persists in state/dev-idp.json); one engineer, one auditor, one agent; plain HTTP.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { describeError } from '../core/errors.js';
import { handleInteraction, type DemoAccount } from './dev-idp-pages.js';
import { DevIdpStore } from './dev-idp-store.js';
import { OidcError } from './errors.js';

export const DEV_CLI_CLIENT_ID = 'bulwark-cli';
export const DEV_AGENT_CLIENT_ID = 'bulwark-demo-agent';
/** Audience of the JWT access tokens the demo agent receives (a resource indicator). */
export const DEV_RESOURCE = 'urn:bulwark:certificates';
export const DEV_ENGINEER_EMAIL = 'engineer@example.com';
/** The demo auditor: member of auditors and approvers, no SSH principals (console only). */
export const DEV_AUDITOR_EMAIL = 'auditor@example.com';
/** The auditor console's client (public, auth code + PKCE with its exact callback URL). */
export const DEV_CONSOLE_CLIENT_ID = 'bulwark-console';

interface DevIdpState {
  readonly engineerPassword: string;
  /** Added later than the others: older state files lack it and get one on the next start. */
  auditorPassword?: string;
  readonly agentSecret: string;
  readonly cookieKeys: string[];
  readonly jwks: { keys: Record<string, unknown>[] };
}

export interface DevIdp {
  readonly issuer: string;
  readonly port: number;
  readonly engineer: { readonly email: string; readonly password: string };
  readonly auditor: { readonly email: string; readonly password: string };
  /** Client id of the console, registered only when startDevIdp got consoleRedirectUris. */
  readonly consoleClientId: string | undefined;
  readonly agent: { readonly clientId: string; readonly clientSecret: string };
  readonly cliClientId: string;
  /** The accepted audiences for the verifier: the CLI's ID tokens and the agent's access tokens. */
  readonly audience: readonly string[];
  readonly stateFile: string;
  close(): Promise<void>;
}

/** Secrets and the signing key persist so restarts keep tokens verifiable and the password stable. */
export function loadOrCreateDevIdpState(stateDir: string): { state: DevIdpState; file: string } {
  const file = join(stateDir, 'dev-idp.json');
  if (existsSync(file)) {
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as DevIdpState;
      if (state.auditorPassword === undefined) {
        state.auditorPassword = `${randomBytes(6).toString('base64url')}-${randomBytes(6).toString('base64url')}`;
        writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      }
      return { state, file };
    } catch (e) {
      throw new OidcError('ERR_OIDC_DEV_IDP', `${file} is unreadable (${describeError(e)}); delete it to create a new development IdP`);
    }
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const word = () => randomBytes(6).toString('base64url');
  const state: DevIdpState = {
    engineerPassword: `${word()}-${word()}`,
    auditorPassword: `${word()}-${word()}`,
    agentSecret: randomBytes(24).toString('base64url'),
    cookieKeys: [randomBytes(32).toString('base64url')],
    jwks: { keys: [jwk] },
  };
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return { state, file };
}

function configuration(state: DevIdpState, accounts: readonly DemoAccount[], consoleRedirectUris: readonly string[]): Record<string, unknown> {
  // The console is a confidential-less web client: PKCE is its proof, its callback is exact.
  const consoleClient = consoleRedirectUris.length === 0 ? [] : [{
    client_id: DEV_CONSOLE_CLIENT_ID,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [...consoleRedirectUris],
  }];
  return {
    adapter: DevIdpStore,
    clients: [
      {
        client_id: DEV_CLI_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: ['code'],
        // Native loopback redirect: any port matches (RFC 8252 §7.3), as `bulwark login --browser` picks one.
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      {
        client_id: DEV_AGENT_CLIENT_ID,
        client_secret: state.agentSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      ...consoleClient,
    ],
    jwks: state.jwks,
    cookies: { keys: state.cookieKeys },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.find((a) => a.accountId === id);
      return account === undefined
        ? undefined
        : { accountId: id, claims: () => ({ sub: id, email: account.email, email_verified: true, groups: [...account.groups], principals: [...account.principals] }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups', 'principals'] },
    scopes: ['openid', 'email', 'groups', 'offline_access'],
    // The certificate is issued from the ID token, so it must carry email, groups and principals.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, client: { clientId: string }) => (client.clientId === DEV_AGENT_CLIENT_ID ? DEV_RESOURCE : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({ scope: 'certificates', audience: DEV_RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    // The agent's token carries its groups and principals as the engineer's ID token does.
    extraTokenClaims: (_ctx: unknown, token: { kind: string }) => (token.kind === 'ClientCredentials' ? { groups: ['agents'], principals: ['deploy'] } : undefined),
    ttl: { IdToken: 600, AccessToken: 600, ClientCredentials: 600, DeviceCode: 600, Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60 },
  };
}

/** Starts the development IdP on `listen` (HOST:PORT on loopback; port 0 picks one). */
export async function startDevIdp(opts: { stateDir: string; listen: string; consoleRedirectUris?: readonly string[] }): Promise<DevIdp> {
  const { state, file } = loadOrCreateDevIdpState(opts.stateDir);
  const account: DemoAccount = { accountId: 'engineer', email: DEV_ENGINEER_EMAIL, password: state.engineerPassword, groups: ['engineers'], principals: ['deploy'] };
  const auditor: DemoAccount = { accountId: 'auditor', email: DEV_AUDITOR_EMAIL, password: state.auditorPassword ?? '', groups: ['auditors', 'approvers'], principals: [] };
  const consoleRedirectUris = opts.consoleRedirectUris ?? [];
  const host = opts.listen.slice(0, opts.listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler === undefined) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new OidcError('ERR_OIDC_DEV_IDP', `development IdP cannot listen on ${opts.listen}: ${describeError(e)}`, { cause: e })));
    server.listen(Number(opts.listen.slice(opts.listen.lastIndexOf(':') + 1)), host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const provider = new Provider(issuer, configuration(state, [account, auditor], consoleRedirectUris));
  const callback = provider.callback();
  handler = (req, res) => {
    void handleInteraction(provider, [account, auditor], req, res).then((handled) => {
      if (!handled) callback(req, res);
    });
  };
  return {
    issuer,
    port,
    engineer: { email: account.email, password: account.password },
    auditor: { email: auditor.email, password: auditor.password },
    consoleClientId: consoleRedirectUris.length === 0 ? undefined : DEV_CONSOLE_CLIENT_ID,
    agent: { clientId: DEV_AGENT_CLIENT_ID, clientSecret: state.agentSecret },
    cliClientId: DEV_CLI_CLIENT_ID,
    audience: [DEV_CLI_CLIENT_ID, DEV_RESOURCE],
    stateFile: file,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
