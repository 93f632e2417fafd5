/**
 * `bulwark serve`: load and validate the configuration, create what a first start needs (state
 * directory, host key, development user CA), then listen. JSON audit lines go to stdout; the
 * human banner (fingerprint, ready-to-paste login commands) goes to stderr.
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createAuditLog, type AuditLog } from '../audit/index.js';
import { AuthError, authorizeCertificate, AuthRateLimiter, loadTrustedCas, NO_REVOCATION_LIST, RevocationList, type RevocationCheck } from '../auth/index.js';
import { systemClock } from '../core/index.js';
import { ConfigError, loadConfig, type Config, type ConfigInput } from '../config/index.js';
import { createAnalyzer } from '../intent/index.js';
import { PolicyError, PolicyStore } from '../policy/index.js';
import { applyRetention, loadOrCreateRecordingKey } from '../recording/index.js';
import { RecordingHealth } from '../session/index.js';
import { BulwarkServer, ensureKeyPair, keyFingerprint, readKeyFile } from '../ssh/index.js';
import { startIdentityServices } from '../web/index.js'; // oidc: identity services
import { startConsole, type ConsoleHandle } from '../web/index.js'; // console
import { describeError } from '../core/errors.js'; // console
import { approverCheck } from '../session/index.js'; // console: the approve action for reviews decided on the web
import { ApprovalError, ApprovalStore } from '../approvals/index.js'; // approvals
import { EXIT, writeLine, type CliIO } from './io.js';

const HELP = `usage: bulwark serve [--config FILE] [--listen HOST:PORT] [--host-key FILE] [--user-ca FILE]...
                    [--policies DIR] [--recordings DIR] [--state DIR]

With no flags: listens on 127.0.0.1:2222, keeps its state in ./state (host key, development
user CA), and prints how to sign a certificate and log in.`;

function flagsToConfig(v: Record<string, string | string[] | boolean | undefined>): Partial<ConfigInput> {
  const out: Partial<ConfigInput> = {};
  if (typeof v['listen'] === 'string') out.listen = v['listen'];
  if (typeof v['host-key'] === 'string') out.hostKey = v['host-key'];
  if (Array.isArray(v['user-ca'])) out.userCa = v['user-ca'];
  if (typeof v['policies'] === 'string') out.policies = v['policies'];
  if (typeof v['recordings'] === 'string') out.recordings = v['recordings'];
  if (typeof v['state'] === 'string') out.state = v['state'];
  return out;
}

/** First start: a development user CA in the state dir, trusted only when no CA is configured. */
function userCaFiles(config: Config): { files: string[]; devCa: string | undefined } {
  if (config.userCa.length > 0) return { files: [...config.userCa], devCa: undefined };
  const ca = ensureKeyPair(join(config.state, 'user_ca'), 'bulwark development user CA');
  return { files: [ca.publicKeyPath], devCa: ca.privateKeyPath };
}

function banner(config: Config, port: number, hostPub: string, devCa: string | undefined): string {
  const fp = keyFingerprint(hostPub);
  const host = config.listen.slice(0, config.listen.lastIndexOf(':'));
  const knownHosts = join(config.state, 'known_hosts');
  const hostLine = readFileSync(hostPub, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHosts, `[${host === '0.0.0.0' ? '127.0.0.1' : host}]:${port} ${hostLine}\n`);
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };
  const lines = [`bulwark listening on ${host}:${port}`, `host key ${fp}`, `recordings in ${rel(config.recordings)}, signed by the key in ${rel(join(config.state, 'recording-key.pub'))}`];
  if (devCa !== undefined) {
    lines.push(
      '',
      'Development user CA in use. To log in, paste:',
      '',
      `  ssh-keygen -q -t ed25519 -N '' -f ./demo-key`,
      `  ssh-keygen -q -s ${rel(devCa)} -I you@example.com -n deploy -V +8h -O extension:kind@bulwark=human -O extension:groups@bulwark=engineers ./demo-key.pub`,
      `  ssh -p ${port} -i ./demo-key -o CertificateFile=./demo-key-cert.pub -o UserKnownHostsFile=${rel(knownHosts)} deploy@${host === '0.0.0.0' ? '127.0.0.1' : host}`,
      '',
    );
  }
  return lines.join('\n');
}

/** Applies the configured retention now and every hour; removals and failures are logged. */
function startRetention(config: Config, log: AuditLog): NodeJS.Timeout | undefined {
  const maxAgeDays = config.retention.maxAgeDays;
  if (maxAgeDays === undefined) return undefined;
  const sweep = () =>
    void applyRetention(config.recordings, {
      maxAgeDays,
      legalHold: config.retention.legalHold,
      log: (e) => log.event('recording.removed', { id: e.id, file: e.file, ageDays: e.ageDays }),
    }).catch((err: Error) => log.error('recording.failure', { phase: 'retention', error: err.message }));
  sweep();
  return setInterval(sweep, 3_600_000).unref();
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        listen: { type: 'string' },
        'host-key': { type: 'string' },
        'user-ca': { type: 'string', multiple: true },
        policies: { type: 'string' },
        recordings: { type: 'string' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    writeLine(io.stderr, `bulwark serve: ${(err as Error).message}\n${HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    writeLine(io.stdout, HELP);
    return EXIT.ok;
  }

  let config: Config;
  try {
    config = loadConfig(values.config, flagsToConfig(values));
  } catch (err) {
    if (err instanceof ConfigError) {
      writeLine(io.stderr, `bulwark serve: ${err.message}`);
      return EXIT.config;
    }
    throw err;
  }

  const log = createAuditLog({ level: config.logLevel });
  mkdirSync(config.state, { recursive: true, mode: 0o700 });
  mkdirSync(config.recordings, { recursive: true, mode: 0o750 });
  const host = ensureKeyPair(config.hostKey, 'bulwark host key');
  const { files, devCa } = userCaFiles(config);
  let trustedCas;
  try {
    trustedCas = await loadTrustedCas(files);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    writeLine(io.stderr, `bulwark serve: ${err.message}`);
    return EXIT.config;
  }

  let revocation: (RevocationCheck & { close?: () => void }) = NO_REVOCATION_LIST;
  if (config.revocationList !== undefined) {
    const file = config.revocationList;
    const list = new RevocationList(file, {
      onError: (err) => log.error('revocation.error', { file, code: err.code, error: err.message }),
    });
    log.event('revocation.reload', { file, status: list.status });
    revocation = list;
  }
  const rateLimiter = new AuthRateLimiter({
    maxFailures: config.authRateLimit.maxFailures,
    windowMs: config.authRateLimit.windowSeconds * 1000,
    clock: systemClock,
  });

  // The judge: one analyser for the server, and the policy set with hot reload. A policy set that
  // does not load at start is fatal (better not to serve than to serve unjudged); a bad reload
  // keeps the previous set and says why.
  let policies: PolicyStore;
  try {
    policies = await PolicyStore.open(config.policies, {
      onReload: () => log.event('policy.reload', { dir: config.policies }),
      onError: (err) => log.error('policy.error', { dir: config.policies, error: err instanceof Error ? err.message : String(err) }),
    });
  } catch (err) {
    writeLine(io.stderr, `bulwark serve: policies in ${config.policies} did not load: ${err instanceof PolicyError ? err.message : String(err)}`);
    return EXIT.config;
  }
  log.event('policy.reload', { dir: config.policies });
  const analyzer = await createAnalyzer();

  const recordingKey = await loadOrCreateRecordingKey(config.state);
  // --- approvals: review requests, kept in the state dir across restarts (docs/reviews.md) ---
  let approvalStore: ApprovalStore;
  try {
    approvalStore = await ApprovalStore.open(config.state, { clock: systemClock, log, webhookUrl: config.approvals.webhookUrl, requiredApprovals: config.approvals.requiredApprovals, ttlMs: config.approvals.ttl * 1000 });
  } catch (err) {
    if (!(err instanceof ApprovalError)) throw err;
    writeLine(io.stderr, `bulwark serve: ${err.message}`);
    return EXIT.config;
  }
  const approvals = { store: approvalStore, waitTimeoutMs: config.approvals.waitTimeout * 1000, wait: config.approvals.wait };
  // --- end approvals ---
  if (!config.recordSessions) log.warn('recording.failure', { reason: 'recordSessions is false' }, 'sessions are NOT recorded (recordSessions: false)');
  const server = new BulwarkServer({
    config,
    log,
    services: {
      config,
      recording: { enabled: config.recordSessions, dir: config.recordings, key: recordingKey, onFailure: config.onRecordingFailure },
      recordingHealth: new RecordingHealth(config.recordings),
      judge: { analyzer, engine: () => policies.engine, approvals }, // approvals
      approvals, // approvals
    },
    hostKey: readKeyFile(host.privateKeyPath),
    rateLimiter,
    authorize: (req) =>
      authorizeCertificate({
        certBlob: req.certBlob,
        keyAlgo: req.keyAlgo,
        signature: req.signature,
        signedData: req.signedData,
        username: req.username,
        source: req.source,
        trustedCas,
        now: systemClock.now(),
        clockSkewSeconds: config.clockSkewSeconds,
        revocation,
        kindDefault: config.defaultKind,
      }),
  });
  const retention = startRetention(config, log);
  const addr = await server.listen();
  writeLine(io.stderr, banner(config, addr.port, host.publicKeyPath, devCa));
  // --- console: the auditor console listens first, so its callback URL can be registered with the dev IdP (src/web/console) ---
  let consoleHandle: ConsoleHandle | undefined;
  // Without an OIDC issuer (configured, or the dev IdP in dev mode) nobody could sign in to it.
  const consoleUsable = config.oidc.issuers.length > 0 || (config.devIdp.enabled && devCa !== undefined);
  if (config.console.enabled && consoleUsable) {
    try {
      consoleHandle = await startConsole(config, log, {
        recordingPublicKey: recordingKey.publicKey,
        reviews: approvalStore,
        // The policy's `approve` action, as for `approvals approve` over SSH; a web user has no
        // certificate, so serial and fingerprints are empty and the source is the browser's.
        reviewPolicy: (u, r) => {
          const req = approvalStore.get(r.id);
          if (req === undefined) return { allowed: false, reason: `no review request ${r.id}` };
          const who = { subject: u.subject, kind: u.kind, groups: u.groups, principal: '', serial: '', caFingerprint: '', keyFingerprint: '', source: { address: u.source, port: 0 }, validBefore: 0 };
          return approverCheck(config, () => policies.engine, who)(req);
        },
      });
    } catch (e) {
      log.error('identity.error', { component: 'console', code: (e as { code?: string }).code ?? 'ERR_WEB_LISTEN', error: describeError(e) }, `console not started: ${describeError(e)}`);
    }
  }
  // --- end console ---
  // --- oidc: certificate issuing endpoint and, in dev mode, the embedded IdP (src/web/services.ts) ---
  const identity = await startIdentityServices(config, log, { devCaKey: devCa, sshPort: addr.port, hostKeyPub: host.publicKeyPath, ...(consoleHandle === undefined ? {} : { consoleRedirectUris: [consoleHandle.callbackUrl] }) });
  if (identity.banner !== '') writeLine(io.stderr, identity.banner);
  // --- end oidc ---
  if (consoleHandle !== undefined) writeLine(io.stderr, consoleHandle.attach(identity.devIdp)); // console

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      writeLine(io.stderr, `bulwark: ${signal} received, closing (grace ${config.shutdownGraceSeconds}s)`);
      void server.shutdown().then(() => {
        revocation.close?.();
        void identity.close(); // oidc
        void consoleHandle?.close(); // console
        policies.close();
        approvalStore.close(); // approvals
        clearInterval(retention);
        log.flush();
        resolve(EXIT.ok);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
