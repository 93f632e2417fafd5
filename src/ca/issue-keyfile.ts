/**
 * OpenSSH private key files (`openssh-key-v1`, PROTOCOL.key) for ed25519 keys: read the CA key
 * that `ssh-keygen` writes into `state/user_ca`, and write the user keys `bulwark login` creates,
 * so both sides stay compatible with stock OpenSSH tools.
 *
 * Trust boundary: the file comes from the operator's disk (CA) or is one we wrote (login); it is
 * still parsed strictly: every length checked, no trailing bytes, check integers must match.
 * Known limits: unencrypted ed25519 keys only (an encrypted CA key needs a passphrase prompt we
 * do not have; ssh-keygen -p -N '' removes it). One key per file.
 */
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { IssueError } from './issue-errors.js';
import { WireReader, WireWriter } from './wire.js';

const MAGIC = 'openssh-key-v1\0';
const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';

export interface OpenSshPrivateKey {
  readonly privateKey: KeyObject;
  /** SSH wire blob of the public half. */
  readonly publicBlob: Uint8Array;
  readonly comment: string;
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** Parses an unencrypted ed25519 OpenSSH private key file into a node KeyObject. */
export function readOpenSshPrivateKey(text: string, source = 'private key'): OpenSshPrivateKey {
  const trimmed = text.trim();
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END)) {
    throw new IssueError('ERR_CA_KEY_FILE', `${source}: not an OpenSSH private key (expected ${BEGIN})`);
  }
  const bytes = new Uint8Array(Buffer.from(trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, ''), 'base64'));
  const magic = new TextEncoder().encode(MAGIC);
  if (bytes.length < magic.length || !magic.every((b, i) => bytes[i] === b)) {
    throw new IssueError('ERR_CA_KEY_FILE', `${source}: missing the openssh-key-v1 header`);
  }
  try {
    const r = new WireReader(bytes.subarray(magic.length));
    const cipher = r.readText('cipher name');
    const kdf = r.readText('kdf name');
    r.readString('kdf options');
    if (cipher !== 'none' || kdf !== 'none') {
      throw new IssueError('ERR_CA_KEY_ENCRYPTED', `${source}: is encrypted (${cipher}); bulwark needs an unencrypted key (ssh-keygen -p -N '' -f FILE)`);
    }
    if (r.readUint32('key count') !== 1) throw new IssueError('ERR_CA_KEY_FILE', `${source}: must hold exactly one key`);
    const publicBlob = Uint8Array.from(r.readString('public key'));
    const priv = new WireReader(r.readString('private section'));
    r.expectEnd('private key file');
    if (priv.readUint32('check') !== priv.readUint32('check')) {
      throw new IssueError('ERR_CA_KEY_FILE', `${source}: check integers differ (corrupt or wrongly decrypted)`);
    }
    const type = priv.readText('key type');
    if (type !== 'ssh-ed25519') throw new IssueError('ERR_CA_KEY_UNSUPPORTED', `${source}: key type ${type.slice(0, 40)}; only ssh-ed25519 CA keys are supported`);
    const pub = priv.readString('ed25519 public');
    const secret = priv.readString('ed25519 private');
    const comment = priv.readText('comment');
    // Padding is 1, 2, 3, ... up to the cipher block size; anything else is corruption.
    let n = 1;
    while (!priv.atEnd()) {
      if (priv.readByte('padding') !== n++) throw new IssueError('ERR_CA_KEY_FILE', `${source}: bad padding`);
    }
    if (pub.length !== 32 || secret.length !== 64 || !pub.every((b, i) => secret[32 + i] === b)) {
      throw new IssueError('ERR_CA_KEY_FILE', `${source}: malformed ed25519 key fields`);
    }
    const expectedBlob = new WireWriter().string('ssh-ed25519').string(pub).toBytes();
    if (Buffer.compare(Buffer.from(expectedBlob), Buffer.from(publicBlob)) !== 0) {
      throw new IssueError('ERR_CA_KEY_FILE', `${source}: public and private halves do not match`);
    }
    const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(secret.subarray(0, 32)), x: b64url(pub) }, format: 'jwk' });
    return { privateKey, publicBlob, comment };
  } catch (e) {
    if (e instanceof IssueError) throw e;
    throw new IssueError('ERR_CA_KEY_FILE', `${source}: malformed: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes an ed25519 private KeyObject as an unencrypted OpenSSH private key file (what ssh reads). */
export function writeOpenSshPrivateKey(privateKey: KeyObject, comment = ''): string {
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.d === undefined || jwk.x === undefined) {
    throw new IssueError('ERR_CA_KEY_UNSUPPORTED', 'only ed25519 private keys can be written');
  }
  const pub = new Uint8Array(Buffer.from(jwk.x, 'base64url'));
  const seed = new Uint8Array(Buffer.from(jwk.d, 'base64url'));
  const publicBlob = new WireWriter().string('ssh-ed25519').string(pub).toBytes();
  const check = randomBytes(4).readUInt32BE(0);
  const secret = new Uint8Array(64);
  secret.set(seed, 0);
  secret.set(pub, 32);
  const section = new WireWriter().uint32(check).uint32(check).string('ssh-ed25519').string(pub).string(secret).string(comment);
  let len = section.toBytes().length;
  for (let pad = 1; len % 8 !== 0; pad++, len++) section.byte(pad);
  const body = new WireWriter()
    .raw(new TextEncoder().encode(MAGIC))
    .string('none')
    .string('none')
    .string('')
    .uint32(1)
    .string(publicBlob)
    .string(section.toBytes())
    .toBytes();
  const b64 = Buffer.from(body).toString('base64').replace(/(.{70})/g, '$1\n').replace(/\n$/, '');
  return `${BEGIN}\n${b64}\n${END}\n`;
}
