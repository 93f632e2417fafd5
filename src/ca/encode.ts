import { sign, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.js';
import { parsePublicKeyBlob, type PlainKeyType } from './publickey.js';
import { WireWriter } from './wire.js';

const fromB64url = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'base64url'));

const CURVE_BY_JWK: Record<string, { type: PlainKeyType; curve: string; hash: string; size: number }> = {
  'P-256': { type: 'ecdsa-sha2-nistp256', curve: 'nistp256', hash: 'sha256', size: 32 },
  'P-384': { type: 'ecdsa-sha2-nistp384', curve: 'nistp384', hash: 'sha384', size: 48 },
  'P-521': { type: 'ecdsa-sha2-nistp521', curve: 'nistp521', hash: 'sha512', size: 66 },
};

/**
 * SSH wire blob of a node public (or private) KeyObject, the inverse of toKeyObject. Used to
 * write keys that `ssh-keygen -s` certifies and, later, by issuance.
 */
export function encodePublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const w = new WireWriter();
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    w.string('ssh-ed25519').string(fromB64url(jwk.x));
  } else if (jwk.kty === 'EC' && jwk.crv !== undefined && CURVE_BY_JWK[jwk.crv] !== undefined) {
    const c = CURVE_BY_JWK[jwk.crv]!;
    const point = new Uint8Array(1 + 2 * c.size);
    point[0] = 4;
    point.set(fromB64url(jwk.x), 1);
    point.set(fromB64url(jwk.y), 1 + c.size);
    w.string(c.type).string(c.curve).string(point);
  } else if (jwk.kty === 'RSA') {
    w.string('ssh-rsa').mpint(fromB64url(jwk.e)).mpint(fromB64url(jwk.n));
  } else {
    throw new KeyError('ERR_SSH_KEY_UNSUPPORTED', `cannot encode a ${jwk.kty ?? '?'} key as an SSH key`);
  }
  const blob = w.toBytes();
  parsePublicKeyBlob(blob);
  return blob;
}

/** `type base64 comment`, as in a *.pub file. */
export function formatPublicKeyLine(blob: Uint8Array, comment = ''): string {
  const key = parsePublicKeyBlob(blob);
  return `${key.type} ${Buffer.from(blob).toString('base64')}${comment === '' ? '' : ` ${comment}`}`;
}

/**
 * Signs `data` with a node private key and returns the SSH signature blob (string algo, string
 * sig). RSA uses rsa-sha2-512 unless `rsaAlgorithm` says rsa-sha2-256; SHA-1 is not offered.
 */
export function signSsh(
  privateKey: KeyObject,
  data: Uint8Array,
  rsaAlgorithm: 'rsa-sha2-256' | 'rsa-sha2-512' = 'rsa-sha2-512',
): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  const w = new WireWriter();
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return w.string('ssh-ed25519').string(new Uint8Array(sign(null, data, privateKey))).toBytes();
  }
  if (jwk.kty === 'EC' && jwk.crv !== undefined && CURVE_BY_JWK[jwk.crv] !== undefined) {
    const c = CURVE_BY_JWK[jwk.crv]!;
    const rs = new Uint8Array(sign(c.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const inner = new WireWriter().mpint(rs.subarray(0, c.size)).mpint(rs.subarray(c.size)).toBytes();
    return w.string(c.type).string(inner).toBytes();
  }
  if (jwk.kty === 'RSA') {
    const hash = rsaAlgorithm === 'rsa-sha2-256' ? 'sha256' : 'sha512';
    return w.string(rsaAlgorithm).string(new Uint8Array(sign(hash, data, privateKey))).toBytes();
  }
  throw new KeyError('ERR_SSH_KEY_UNSUPPORTED', `cannot sign with a ${jwk.kty ?? '?'} key`);
}
