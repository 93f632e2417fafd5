/**
 * `bulwark login`: turn an OIDC login into an SSH certificate under ~/.ssh/bulwark/ (or --dir /
 * BULWARK_HOME), so plain `ssh` works afterwards. Humans: device flow (default) or --browser
 * (authorization code + PKCE, loopback redirect). Agents (--agent): client credentials, or an
 * external OIDC token from --token-file FILE|- ; no prompts, --json output, non-zero exit with
 * a clear message. Idempotent: reuses the key, keeps a certificate with > 10% of its life left.
 *
 * Trust boundary: the bulwark server URL is the operator's; it tells us the IdP and the SSH host
 * key (trust on first use over HTTPS, or loopback HTTP in dev). Tokens are only sent to the IdP
 * and the issuing endpoint, never written to disk or logs. Key files are 0600 in a 0700 dir.
 * Known limits: ssh-agent loading uses `ssh-add`; --write-config adds one Include line to
 * ~/.ssh/config; the printed ssh_config assumes the bastion alias "bulwark".
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePublicKey, formatPublicKeyLine, parseCertificateLine, writeOpenSshPrivateKey } from '../ca/index.js';
import { describeError } from '../core/errors.js';
import { browserLogin, clientCredentialsLogin, deviceLogin, includeInUserConfig, OidcError, sshConfigBlock, type LoginInfo } from '../oidc/index.js';
import { EXIT, writeLine, type CliIO } from './io.js';

const HELP = `usage: bulwark login [--server URL] [--dir DIR] [--browser] [--write-config] [--force] [--principals a,b]
       bulwark login --agent [--server URL] [--dir DIR] [--json]
                     (--client-id ID [--client-secret-file FILE] | --token-file FILE|-)

--server   bulwark's issuing endpoint (default $BULWARK_SERVER or http://127.0.0.1:8422)
--dir      where the key, certificate and ssh_config go (default $BULWARK_HOME or ~/.ssh/bulwark)
--browser  authorization code + PKCE in a browser instead of the device code flow
--write-config  also add "Include DIR/ssh_config" to ~/.ssh/config so plain \`ssh bulwark\` works
--agent    unattended: client credentials (secret in $BULWARK_CLIENT_SECRET or a file) or an
           externally issued OIDC token (e.g. a CI job's) from a file or stdin (-)`;

class LoginFailure extends Error {
  constructor(readonly exit: number, message: string) {
    super(message);
  }
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += String(c);
  return s;
}

async function request(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    const cause = describeError((e as Error).cause ?? e);
    // A TLS trust failure will not fix itself on retry, unlike a server that is down.
    if (/certificate|CERT_|SSL/i.test(cause)) {
      throw new LoginFailure(EXIT.failure, `the TLS certificate of ${new URL(url).origin} is not trusted (${cause}); install its CA, or set NODE_EXTRA_CA_CERTS=FILE`);
    }
    throw new LoginFailure(EXIT.tempFail, `the bulwark issuing endpoint ${new URL(url).origin} is unreachable (${cause}); existing certificates keep working`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new LoginFailure(EXIT.failure, `${url} answered HTTP ${res.status} without JSON: is --server pointing at bulwark's issuing endpoint?`);
  }
}

/** The user's key: created once (ed25519, OpenSSH format, 0600 in a 0700 directory), then reused. */
function ensureKey(dir: string): { key: string; pub: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const key = join(dir, 'id_ed25519');
  if (!existsSync(key)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(key, writeOpenSshPrivateKey(privateKey, 'bulwark login'), { mode: 0o600, flag: 'wx' });
    writeFileSync(`${key}.pub`, `${formatPublicKeyLine(encodePublicKey(publicKey), 'bulwark login')}\n`, { mode: 0o644 });
  }
  return { key, pub: readFileSync(`${key}.pub`, 'utf8').trim() };
}

/** An existing certificate for this key with more than 10% of its lifetime left, or undefined. */
function reusable(certFile: string, pub: string): { validBefore: number; serial: string; principals: readonly string[]; kind: string } | undefined {
  if (!existsSync(certFile)) return undefined;
  try {
    const cert = parseCertificateLine(readFileSync(certFile, 'utf8').trim());
    const keyB64 = pub.split(' ')[1];
    if (Buffer.from(cert.publicKey.blob).toString('base64') !== keyB64) return undefined;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const life = cert.validBefore - cert.validAfter;
    if (cert.validBefore - now <= life / 10n) return undefined;
    const kind = cert.extensions.find((e) => e.name === 'kind@bulwark');
    return { validBefore: Number(cert.validBefore), serial: cert.serial.toString(), principals: cert.principals, kind: kind?.data ? Buffer.from(kind.data).toString() : 'agent' };
  } catch {
    return undefined;
  }
}

function openBrowser(url: string, env: NodeJS.ProcessEnv): void {
  const cmd = process.platform === 'darwin' ? 'open' : env['DISPLAY'] || env['WAYLAND_DISPLAY'] ? 'xdg-open' : undefined;
  if (cmd === undefined) return;
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let v;
  try {
    ({ values: v } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        dir: { type: 'string' },
        browser: { type: 'boolean' },
        'write-config': { type: 'boolean' },
        force: { type: 'boolean' },
        principals: { type: 'string' },
        agent: { type: 'boolean' },
        'client-id': { type: 'string' },
        'client-secret-file': { type: 'string' },
        'token-file': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    writeLine(io.stderr, `bulwark login: ${describeError(e)}\n${HELP}`);
    return EXIT.usage;
  }
  if (v.help) return writeLine(io.stdout, HELP), EXIT.ok;
  if (!v.agent && (v['client-id'] !== undefined || v['token-file'] !== undefined)) return writeLine(io.stderr, 'bulwark login: --client-id and --token-file need --agent'), EXIT.usage;
  if (v.agent && (v['client-id'] === undefined) === (v['token-file'] === undefined)) return writeLine(io.stderr, 'bulwark login --agent: give exactly one of --client-id or --token-file'), EXIT.usage;

  const server = (v.server ?? io.env['BULWARK_SERVER'] ?? 'http://127.0.0.1:8422').replace(/\/$/, '');
  const dir = resolve(v.dir ?? io.env['BULWARK_HOME'] ?? join(io.env['HOME'] ?? homedir(), '.ssh', 'bulwark'));
  const say = (line: string) => writeLine(v.json ? io.stderr : io.stdout, line);
  try {
    const { key, pub } = ensureKey(dir);
    const certFile = `${key}-cert.pub`;
    const existing = v.force || v.principals !== undefined ? undefined : reusable(certFile, pub);
    let result: { validBefore: number; serial: string; principals: readonly string[]; kind: string; subject?: string; groups?: readonly string[] };
    let info: LoginInfo | undefined;
    if (existing !== undefined) {
      result = existing;
      say(`certificate ${certFile} is valid until ${new Date(existing.validBefore * 1000).toISOString()}; reusing it (--force renews)`);
    } else {
      const li = await request(`${server}/v1/login`);
      if (li.status !== 200) throw new LoginFailure(EXIT.failure, `${server}/v1/login answered HTTP ${li.status}`);
      info = li.body as unknown as LoginInfo;
      let token: string;
      if (v['token-file'] !== undefined) {
        token = (v['token-file'] === '-' ? await readStdin(io.stdin) : readFileSync(v['token-file'], 'utf8')).trim();
        if (token === '') throw new LoginFailure(EXIT.usage, `no token in ${v['token-file'] === '-' ? 'stdin' : v['token-file']}`);
      } else if (v.agent) {
        const secret = v['client-secret-file'] !== undefined ? readFileSync(v['client-secret-file'], 'utf8').trim() : io.env['BULWARK_CLIENT_SECRET'];
        if (!secret) throw new LoginFailure(EXIT.usage, 'no client secret: set BULWARK_CLIENT_SECRET or pass --client-secret-file');
        token = await clientCredentialsLogin({ issuer: info.issuer, clientId: v['client-id'] as string, clientSecret: secret });
      } else {
        if (!info.clientId) throw new LoginFailure(EXIT.config, `${server} has no OIDC client id configured for logins (oidc.issuers[].clientId)`);
        const target = { issuer: info.issuer, clientId: info.clientId, ...(info.clientSecret ? { clientSecret: info.clientSecret } : {}) };
        token = v.browser
          ? await browserLogin(target, (url) => {
              say(`Open this URL in your browser to sign in:\n\n  ${url}\n`);
              openBrowser(url, io.env);
            })
          : await deviceLogin(target, (p) =>
              say(`To sign in, open ${p.verificationUri} and enter the code ${p.userCode}\n(or open ${p.verificationUriComplete ?? p.verificationUri}). Waiting...`),
            );
      }
      const principals = v.principals?.split(',').map((p) => p.trim());
      const r = await request(`${server}/v1/certificates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey: pub, token, ...(principals ? { principals } : {}) }),
      });
      if (r.status !== 200) {
        const exit = r.status === 403 ? EXIT.noPerm : r.status === 503 ? EXIT.tempFail : EXIT.failure;
        throw new LoginFailure(exit, `certificate refused (HTTP ${r.status} ${String(r.body['error'])}): ${String(r.body['message'])}`);
      }
      writeFileSync(certFile, `${String(r.body['certificate'])}\n`, { mode: 0o644 });
      result = r.body as unknown as typeof result;
    }
    const files = info ? sshConfigBlock(dir, key, info, result.principals[0] ?? 'deploy') : undefined;
    if (files && v['write-config']) includeInUserConfig(io.env['HOME'] ?? homedir(), files.configFile);
    if (!v.agent && io.env['SSH_AUTH_SOCK']) {
      const ttl = Math.max(60, result.validBefore - Math.floor(Date.now() / 1000));
      try {
        execFileSync('ssh-add', ['-q', '-t', String(ttl), key], { stdio: 'pipe', env: io.env });
      } catch (e) {
        writeLine(io.stderr, `bulwark login: could not add the key to ssh-agent (${describeError(e)}); ssh uses the files directly`);
      }
    }
    if (v.json) {
      writeLine(io.stdout, JSON.stringify({ certificate: certFile, key, validBefore: result.validBefore, serial: result.serial, principals: result.principals, kind: result.kind }));
    } else {
      say(`${result.subject ?? 'certificate'} (${result.kind}${result.groups?.length ? `, groups ${result.groups.join(',')}` : ''}): logins ${result.principals.join(', ')}, serial ${result.serial}, valid until ${new Date(result.validBefore * 1000).toISOString()}`);
      if (files) say(`\n${files.block}\nwritten to ${files.configFile}. Connect with:\n\n  ssh -F ${files.configFile} ${files.alias}\n${v['write-config'] ? `\nor simply: ssh ${files.alias}` : `\n(--write-config adds it to ~/.ssh/config so plain \`ssh ${files.alias}\` works)`}`);
    }
    return EXIT.ok;
  } catch (e) {
    const exit = e instanceof LoginFailure ? e.exit : e instanceof OidcError && e.code === 'ERR_OIDC_IDP_UNREACHABLE' ? EXIT.tempFail : EXIT.failure;
    const prefix = e instanceof OidcError ? `${e.code}: ` : '';
    writeLine(io.stderr, `bulwark login: ${prefix}${describeError(e)}`);
    return exit;
  }
}
