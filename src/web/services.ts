/**
 * Starts what turns an OIDC login into a certificate, for `bulwark serve`: the embedded
 * development IdP (only when no issuer is configured) and the issuing endpoint. Failure to start
 * either is logged (`identity.error`) and leaves SSH running: certificates already issued keep
 * working because their verification is offline.
 *
 * Trust boundary: configuration decides which issuers are trusted; the dev IdP is trusted only in
 * dev mode. Plain HTTP is refused on non-loopback addresses (config schema, checked again here).
 * Known limits: one issuing endpoint per process; TLS files are read once at start.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AuditLog } from '../audit/index.js';
import { formatPublicKeyLine, readOpenSshPrivateKey, SerialLog } from '../ca/index.js';
import type { Config } from '../config/index.js';
import type { OidcIssuerConfig } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import { startDevIdp, TokenVerifier, type DevIdp } from '../oidc/index.js';
import { createIssuerHandler, type LoginInfo } from './issuer.js';

export interface IdentityServices {
  /** Lines for the serve banner (empty when nothing started). */
  readonly banner: string;
  readonly issuerUrl: string | undefined;
  readonly devIdp: DevIdp | undefined;
  close(): Promise<void>;
}

export interface IdentityOptions {
  /** Path of the generated development CA when it is the trusted CA (serve's dev mode). */
  readonly devCaKey: string | undefined;
  readonly sshPort: number;
  readonly hostKeyPub: string;
  /** The auditor console's OIDC callback, registered with the dev IdP's console client. */
  readonly consoleRedirectUris?: readonly string[];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function hostOf(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

function devIssuerConfig(idp: DevIdp): OidcIssuerConfig {
  return {
    issuer: idp.issuer,
    audience: [...idp.audience],
    clientId: idp.cliClientId,
    agentClients: [idp.agent.clientId],
    kind: 'auto',
    claims: { subject: ['email', 'sub'], groups: 'groups', principals: 'principals' },
    principalsByGroup: {},
  };
}

async function listen(server: Server, listenOn: string): Promise<number> {
  const { host, port } = hostOf(listenOn);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

const NOTHING: IdentityServices = { banner: '', issuerUrl: undefined, devIdp: undefined, close: async () => undefined };

export async function startIdentityServices(config: Config, log: AuditLog, opts: IdentityOptions): Promise<IdentityServices> {
  const configured = config.oidc.issuers;
  const devMode = configured.length === 0 && config.devIdp.enabled && opts.devCaKey !== undefined;
  if (configured.length === 0 && !devMode) return NOTHING;
  const fail = (component: string, code: string, e: unknown): IdentityServices => {
    log.error('identity.error', { component, code, error: describeError(e) }, `${component} not started: ${describeError(e)}`);
    return NOTHING;
  };

  // load.ts resolves caKey (default state/user_ca); the fallback only satisfies the type.
  const caKeyPath = config.certificates.caKey ?? join(config.state, 'user_ca');
  let ca;
  try {
    ca = readOpenSshPrivateKey(readFileSync(caKeyPath, 'utf8'), caKeyPath);
  } catch (e) {
    return fail('issuer', 'ERR_WEB_CA_KEY', new Error(`cannot read the CA key ${caKeyPath} (run \`bulwark ca init\`): ${describeError(e)}`));
  }

  let devIdp: DevIdp | undefined;
  if (devMode) {
    try {
      devIdp = await startDevIdp({ stateDir: config.state, listen: config.devIdp.listen, ...(opts.consoleRedirectUris === undefined ? {} : { consoleRedirectUris: opts.consoleRedirectUris }) });
    } catch (e) {
      return fail('devIdp', (e as { code?: string }).code ?? 'ERR_OIDC_DEV_IDP', e);
    }
    log.event('identity.start', { component: 'devIdp', url: devIdp.issuer }, `development IdP at ${devIdp.issuer}`);
  }
  const issuers = devIdp ? [devIssuerConfig(devIdp)] : configured;
  // 30 s for exp/nbf/iat: tokens are minutes-lived, so more slack would matter (docs/oidc.md).
  const verifier = new TokenVerifier(issuers, { clockToleranceSeconds: 30 });

  const tls = config.issuer.tlsCert !== undefined && config.issuer.tlsKey !== undefined;
  const { host } = hostOf(config.issuer.listen);
  if (!tls && !LOOPBACK.test(host)) {
    await devIdp?.close();
    return fail('issuer', 'ERR_WEB_LISTEN', new Error(`refusing plain HTTP on ${config.issuer.listen}: set issuer.tlsCert and issuer.tlsKey`));
  }
  const advertised = config.issuer.sshAddress === undefined ? undefined : hostOf(config.issuer.sshAddress);
  const sshHost = advertised?.host ?? hostOf(config.listen).host;
  // `bulwark login` uses the first issuer that has a client id (agents may use others via tokens).
  const loginIssuer = issuers.find((i) => i.clientId !== undefined) ?? issuers[0];
  const loginInfo: LoginInfo = {
    issuer: loginIssuer?.issuer ?? '',
    ...(loginIssuer?.clientId !== undefined ? { clientId: loginIssuer.clientId } : {}),
    // Published to every caller: documented as only for public installed-app clients (Google).
    ...(loginIssuer?.clientSecret !== undefined ? { clientSecret: loginIssuer.clientSecret } : {}),
    ssh: {
      host: sshHost === '0.0.0.0' || sshHost === '::' ? '127.0.0.1' : sshHost,
      port: advertised?.port ?? opts.sshPort,
      alias: 'bulwark',
      hostKey: readFileSync(opts.hostKeyPub, 'utf8').trim().split(' ').slice(0, 2).join(' '),
    },
  };
  const handler = createIssuerHandler({
    verify: (t) => verifier.verify(t),
    caKey: ca.privateKey,
    caPublicLine: formatPublicKeyLine(ca.publicBlob, ca.comment),
    serials: new SerialLog(join(config.state, 'issued-serials.log')),
    certificates: config.certificates,
    log,
    loginInfo,
    maxRefusalsPerMinute: config.issuer.maxRefusalsPerMinute,
  });
  let server: Server;
  let port: number;
  try {
    server = tls
      ? (createHttps({ cert: readFileSync(config.issuer.tlsCert as string), key: readFileSync(config.issuer.tlsKey as string) }, handler) as unknown as Server)
      : createHttp(handler);
    port = await listen(server, config.issuer.listen);
  } catch (e) {
    await devIdp?.close();
    return fail('issuer', 'ERR_WEB_LISTEN', new Error(`issuing endpoint cannot listen on ${config.issuer.listen}: ${describeError(e)}`));
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  const issuerUrl = `${tls ? 'https' : 'http'}://${shown}:${port}`;
  log.event('identity.start', { component: 'issuer', url: issuerUrl, issuers: issuers.map((i) => i.issuer) }, `certificate issuing endpoint at ${issuerUrl}`);

  const lines = [`certificate issuing endpoint ${issuerUrl} (trusts ${issuers.map((i) => i.issuer).join(', ')})`];
  if (devIdp) {
    lines.push(
      '',
      `Development identity provider ${devIdp.issuer} (loopback only; configure oidc.issuers for production):`,
      `  demo engineer: ${devIdp.engineer.email}  password: ${devIdp.engineer.password}`,
      `  demo agent:    client id ${devIdp.agent.clientId}, secret in ${devIdp.stateFile}`,
      'To log in as the demo engineer, paste (login prints a URL and a code for your browser):',
      '',
      `  node ${loginBin()} login --server ${issuerUrl}`,
      `  ssh -F ~/.ssh/bulwark/ssh_config bulwark`,
      '',
    );
  }
  return {
    banner: lines.join('\n'),
    issuerUrl,
    devIdp,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await devIdp?.close();
    },
  };
}

/** bin/bulwark.js relative to the working directory when that is shorter (a fresh clone's root). */
function loginBin(): string {
  const abs = new URL('../../bin/bulwark.js', import.meta.url).pathname;
  const cwd = `${process.cwd()}/`;
  return abs.startsWith(cwd) ? abs.slice(cwd.length) : abs;
}
