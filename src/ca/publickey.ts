import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.js';
import { WireReader, WireWriter } from './wire.js';

export const PLAIN_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
export type PlainKeyType = (typeof PLAIN_KEY_TYPES)[number];

export type EcdsaCurve = 'nistp256' | 'nistp384' | 'nistp521';

/** Stricter than OpenSSH's default (RequiredRSASize 1024): a bastion CA has no reason to accept less. */
export const MIN_RSA_BITS = 2048;
/** OpenSSH's own ceiling; it also bounds the cost of a hostile verification. */
export const MAX_RSA_BITS = 16384;

interface KeyBase {
  /** The plain-key wire encoding (for a certificate: re-encoded without the cert fields). */
  readonly blob: Uint8Array;
}
export interface Ed25519Key extends KeyBase {
  readonly type: 'ssh-ed25519';
  readonly publicKey: Uint8Array;
}
export interface EcdsaKey extends KeyBase {
  readonly type: 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521';
  readonly curve: EcdsaCurve;
  /** Uncompressed point 0x04 || X || Y. */
  readonly point: Uint8Array;
}
export interface RsaKey extends KeyBase {
  readonly type: 'ssh-rsa';
  /** Unsigned big-endian magnitudes. */
  readonly e: Uint8Array;
  readonly n: Uint8Array;
  readonly bits: number;
}
export type SshPublicKey = Ed25519Key | EcdsaKey | RsaKey;

const CURVES: Record<EcdsaCurve, { jwk: string; coordinate: number }> = {
  nistp256: { jwk: 'P-256', coordinate: 32 },
  nistp384: { jwk: 'P-384', coordinate: 48 },
  nistp521: { jwk: 'P-521', coordinate: 66 },
};

export function isPlainKeyType(value: string): value is PlainKeyType {
  return (PLAIN_KEY_TYPES as readonly string[]).includes(value);
}

function bitLength(magnitude: Uint8Array): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i] as number));
}

/**
 * Reads the type-specific fields of `type` (everything after the type name in a plain key; in a
 * certificate they follow the nonce) and returns the key with its canonical plain blob.
 */
export function readKeyFields(r: WireReader, type: PlainKeyType): SshPublicKey {
  const w = new WireWriter().string(type);
  switch (type) {
    case 'ssh-ed25519': {
      const pk = r.readString('ed25519 public key');
      if (pk.length !== 32) throw new KeyError('ERR_SSH_KEY_MALFORMED', `ed25519 public key is ${pk.length} bytes, not 32`);
      const key: Ed25519Key = { type, publicKey: pk, blob: w.string(pk).toBytes() };
      return checked(key);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = r.readText('ecdsa curve name');
      const expected = type.slice('ecdsa-sha2-'.length) as EcdsaCurve;
      if (curve !== expected) {
        throw new KeyError('ERR_SSH_KEY_MALFORMED', `key type ${type} carries curve "${curve}"`);
      }
      const point = r.readString('ecdsa point');
      const size = CURVES[expected].coordinate;
      if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
        throw new KeyError('ERR_SSH_KEY_MALFORMED', `${type}: point is not an uncompressed ${expected} point`);
      }
      const key: EcdsaKey = { type, curve: expected, point, blob: w.string(curve).string(point).toBytes() };
      return checked(key);
    }
    case 'ssh-rsa': {
      const e = r.readPositiveMpint('rsa exponent');
      const n = r.readPositiveMpint('rsa modulus');
      const bits = bitLength(n);
      if (bits > MAX_RSA_BITS) throw new KeyError('ERR_SSH_KEY_MALFORMED', `RSA modulus of ${bits} bits exceeds ${MAX_RSA_BITS}`);
      if (bits < MIN_RSA_BITS) throw new KeyError('ERR_SSH_KEY_WEAK', `RSA modulus of ${bits} bits is below ${MIN_RSA_BITS}`);
      if (e.length === 0 || e.length > 8 || ((e[e.length - 1] as number) & 1) === 0 || bitLength(e) < 2) {
        throw new KeyError('ERR_SSH_KEY_MALFORMED', 'RSA public exponent is not an odd integer above 1');
      }
      const key: RsaKey = { type, e, n, bits, blob: w.mpint(e).mpint(n).toBytes() };
      return checked(key);
    }
  }
}

/** Validates the key by handing it to OpenSSL once (e.g. an ECDSA point must lie on its curve). */
function checked<K extends SshPublicKey>(key: K): K {
  toKeyObject(key);
  return key;
}

/** Parses a plain public key wire blob (no trailing bytes, no certificate). */
export function parsePublicKeyBlob(blob: Uint8Array): SshPublicKey {
  const copy = Uint8Array.from(blob);
  const r = new WireReader(copy);
  const type = r.readText('key type');
  if (!isPlainKeyType(type)) throw new KeyError('ERR_SSH_KEY_UNSUPPORTED', `unsupported public key type "${type.slice(0, 80)}"`);
  const key = readKeyFields(r, type);
  r.expectEnd(`${type} public key`);
  return key;
}

export interface KeyLine {
  readonly type: string;
  readonly blob: Uint8Array;
  readonly comment: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Splits an OpenSSH one-line key (`type base64 [comment]`, as in *.pub files and
 * TrustedUserCAKeys) and checks that the type written in text is the one inside the blob, so a
 * line cannot claim to be one algorithm while carrying another.
 */
export function decodeKeyLine(line: string): KeyLine {
  const parts = line.trim().split(/[ \t]+/);
  const [type, b64, ...rest] = parts;
  if (type === undefined || type === '' || b64 === undefined) {
    throw new KeyError('ERR_SSH_KEY_LINE_MALFORMED', 'expected "<key-type> <base64> [comment]"');
  }
  if (!BASE64.test(b64) || b64.length % 4 !== 0) {
    throw new KeyError('ERR_SSH_KEY_LINE_MALFORMED', 'key data is not valid base64');
  }
  const blob = new Uint8Array(Buffer.from(b64, 'base64'));
  let inner: string;
  try {
    inner = new WireReader(blob).readText('key type');
  } catch (e) {
    throw new KeyError('ERR_SSH_KEY_LINE_MALFORMED', 'key data does not start with a key type', { cause: e });
  }
  if (inner !== type) {
    throw new KeyError('ERR_SSH_KEY_LINE_MALFORMED', `line says "${type.slice(0, 80)}" but the key data is "${inner.slice(0, 80)}"`);
  }
  return { type, blob, comment: rest.join(' ') };
}

/** A plain public key from its wire blob or from a one-line OpenSSH text form. */
export function parsePublicKey(input: Uint8Array | string): SshPublicKey & { readonly comment?: string } {
  if (typeof input !== 'string') return parsePublicKeyBlob(input);
  const line = decodeKeyLine(input);
  const key = parsePublicKeyBlob(line.blob);
  return line.comment === '' ? key : { ...key, comment: line.comment };
}

/** `SHA256:<base64 without padding>` of a key blob, exactly as `ssh-keygen -l` prints it. */
export function fingerprint(publicKeyBlob: Uint8Array): string {
  const digest = createHash('sha256').update(publicKeyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Converts to a node KeyObject via JWK; OpenSSL's refusal surfaces as ERR_SSH_KEY_MALFORMED. */
export function toKeyObject(key: SshPublicKey): KeyObject {
  try {
    switch (key.type) {
      case 'ssh-ed25519':
        return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(key.publicKey) }, format: 'jwk' });
      case 'ssh-rsa':
        return createPublicKey({ key: { kty: 'RSA', n: b64url(key.n), e: b64url(key.e) }, format: 'jwk' });
      default: {
        const size = CURVES[key.curve].coordinate;
        const x = key.point.subarray(1, 1 + size);
        const y = key.point.subarray(1 + size);
        return createPublicKey({ key: { kty: 'EC', crv: CURVES[key.curve].jwk, x: b64url(x), y: b64url(y) }, format: 'jwk' });
      }
    }
  } catch (e) {
    throw new KeyError('ERR_SSH_KEY_MALFORMED', `${key.type}: rejected by OpenSSL: ${(e as Error).message}`, { cause: e });
  }
}
