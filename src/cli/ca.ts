/**
 * `bulwark ca init | pubkey | sign`: the SSH user CA that issued certificates chain to. `init`
 * creates an ed25519 CA (state/user_ca unless --key or certificates.caKey says otherwise);
 * `pubkey` prints the line other sshd's put in TrustedUserCAKeys; `sign` certifies a public key
 * for operators (break-glass, service accounts), with the same extensions the endpoint uses.
 *
 * Trust boundary: the operator running this holds the CA private key; arguments are validated
 * (key ID, principals, validity, CIDR) before anything is signed. Every serial is logged.
 * Known limits: unencrypted ed25519 CA keys only; no host certificates.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSourceAddressList } from '../auth/index.js';
import { encodePublicKey, formatPublicKeyLine, issueCertificate, isCaError, IssueError, readOpenSshPrivateKey, SerialLog, writeOpenSshPrivateKey } from '../ca/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import { EXIT, writeLine, type CliIO } from './io.js';

const HELP = `usage: bulwark ca init   [--config FILE] [--state DIR] [--key FILE]
       bulwark ca pubkey [--config FILE] [--state DIR] [--key FILE]
       bulwark ca sign   [--config FILE] [--state DIR] [--key FILE] --key-id ID --principals a,b
                         [--kind human|agent] [--groups g1,g2] [--validity 8h]
                         [--source-address CIDR[,CIDR]] PUBKEY_FILE

The CA key defaults to certificates.caKey, i.e. <state>/user_ca. \`sign\` writes
PUBKEY_FILE without .pub plus -cert.pub (as ssh-keygen -s does) and logs the serial in
<state>/issued-serials.log.`;

const VALIDITY = /^(\d{1,6})([smhd])$/;
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        state: { type: 'string' },
        key: { type: 'string' },
        'key-id': { type: 'string' },
        principals: { type: 'string' },
        kind: { type: 'string', default: 'human' },
        groups: { type: 'string' },
        validity: { type: 'string', default: '8h' },
        'source-address': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    writeLine(io.stderr, `bulwark ca: ${describeError(e)}\n${HELP}`);
    return EXIT.usage;
  }
  const { values: v, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (v.help || sub === undefined) {
    writeLine(v.help ? io.stdout : io.stderr, HELP);
    return v.help ? EXIT.ok : EXIT.usage;
  }
  const fail = (code: number, msg: string): number => (writeLine(io.stderr, `bulwark ca ${sub}: ${msg}`), code);
  let keyPath: string;
  let state: string;
  try {
    const config = loadConfig(v.config, v.state !== undefined ? { state: v.state } : {});
    state = config.state;
    keyPath = v.key ?? config.certificates.caKey ?? join(state, 'user_ca');
  } catch (e) {
    if (e instanceof ConfigError) return fail(EXIT.config, e.message);
    throw e;
  }

  try {
    if (sub === 'init') {
      if (existsSync(keyPath)) {
        writeLine(io.stderr, `CA key ${keyPath} already exists; not replaced`);
      } else {
        mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        writeFileSync(keyPath, writeOpenSshPrivateKey(privateKey, 'bulwark user CA'), { mode: 0o600, flag: 'wx' });
        writeFileSync(`${keyPath}.pub`, `${formatPublicKeyLine(encodePublicKey(publicKey), 'bulwark user CA')}\n`, { mode: 0o644 });
        writeLine(io.stderr, `created CA key ${keyPath}`);
      }
    }
    if (sub !== 'init' && sub !== 'pubkey' && sub !== 'sign') return fail(EXIT.usage, `unknown subcommand\n${HELP}`);
    const ca = readOpenSshPrivateKey(readFileSync(keyPath, 'utf8'), keyPath);
    if (sub === 'init' || sub === 'pubkey') {
      writeLine(io.stdout, formatPublicKeyLine(ca.publicBlob, ca.comment));
      return EXIT.ok;
    }

    const file = rest[0];
    if (file === undefined || rest.length > 1) return fail(EXIT.usage, `give exactly one PUBKEY_FILE\n${HELP}`);
    if (v['key-id'] === undefined || v.principals === undefined) return fail(EXIT.usage, '--key-id and --principals are required');
    if (v.kind !== 'human' && v.kind !== 'agent') return fail(EXIT.usage, '--kind must be human or agent');
    const m = VALIDITY.exec(v.validity ?? '');
    if (!m) return fail(EXIT.usage, '--validity must look like 90s, 15m, 8h or 1d');
    const seconds = Number(m[1]) * (UNIT[m[2] as string] as number);
    const criticalOptions: Record<string, string> = {};
    if (v['source-address'] !== undefined) {
      if (parseSourceAddressList(v['source-address']) === null) return fail(EXIT.usage, '--source-address must be addresses or CIDRs, comma-separated');
      criticalOptions['source-address'] = v['source-address'];
    }
    const extensions: Record<string, string | null> = { 'kind@bulwark': v.kind };
    if (v.groups !== undefined && v.groups !== '') extensions['groups@bulwark'] = v.groups;
    if (v.kind === 'human') extensions['permit-pty'] = null;
    const keyId = v['key-id'];
    const serial = new SerialLog(join(state, 'issued-serials.log')).next(keyId);
    const now = Math.floor(Date.now() / 1000);
    const cert = issueCertificate({
      caKey: ca.privateKey,
      publicKey: readFileSync(file, 'utf8'),
      keyId,
      principals: v.principals.split(',').map((p) => p.trim()),
      serial,
      validAfter: now - 60,
      validBefore: now + seconds,
      kind: 'user',
      criticalOptions,
      extensions,
    });
    const out = `${file.replace(/\.pub$/, '')}-cert.pub`;
    writeFileSync(out, `${cert.line}\n`, { mode: 0o644 });
    writeLine(io.stdout, JSON.stringify({ certificate: out, serial: serial.toString(), keyId, validBefore: now + seconds }));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof IssueError && e.code === 'ERR_CERT_ISSUE_INVALID') return fail(EXIT.dataErr, `${e.code}: ${e.message}`);
    if (isCaError(e) || e instanceof IssueError) return fail(EXIT.config, `${e.code}: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fail(EXIT.config, `${describeError(e)} (run \`bulwark ca init\` to create the CA)`);
    throw e;
  }
}
