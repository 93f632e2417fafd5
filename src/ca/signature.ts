import { verify } from 'node:crypto';
import { parsePublicKeyBlob, toKeyObject, type PlainKeyType, type SshPublicKey } from './publickey.js';
import { WireReader } from './wire.js';

/**
 * Signature algorithms accepted for each key type. `ssh-rsa` (RSA/SHA-1) is deliberately absent:
 * OpenSSH refuses it for certificates since 8.2, and SHA-1 collisions are practical.
 */
export const SIGNATURE_ALGORITHMS: Readonly<Record<PlainKeyType, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-256', 'rsa-sha2-512'],
};

const ECDSA: Record<string, { hash: string; size: number }> = {
  'ecdsa-sha2-nistp256': { hash: 'sha256', size: 32 },
  'ecdsa-sha2-nistp384': { hash: 'sha384', size: 48 },
  'ecdsa-sha2-nistp521': { hash: 'sha512', size: 66 },
};

export interface SshSignature {
  /** The signature format name, e.g. "rsa-sha2-512". */
  readonly algorithm: string;
  /** The algorithm-specific signature bytes. */
  readonly blob: Uint8Array;
}

/** Splits an SSH signature (string format, string blob). Throws WireError on malformed input. */
export function parseSshSignature(signature: Uint8Array): SshSignature {
  const r = new WireReader(signature);
  const algorithm = r.readText('signature algorithm');
  const blob = r.readString('signature blob');
  r.expectEnd('signature');
  return { algorithm, blob };
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array | null {
  if (bytes.length > size) return null;
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

/** ECDSA signature blob (mpint r, mpint s) → fixed-size r||s as node's ieee-p1363 expects. */
function ecdsaP1363(blob: Uint8Array, size: number): Uint8Array | null {
  const r = new WireReader(blob);
  const rr = r.readPositiveMpint('ecdsa r');
  const ss = r.readPositiveMpint('ecdsa s');
  r.expectEnd('ecdsa signature');
  if (rr.length === 0 || ss.length === 0) return null;
  const a = leftPad(rr, size);
  const b = leftPad(ss, size);
  if (a === null || b === null) return null;
  const out = new Uint8Array(2 * size);
  out.set(a, 0);
  out.set(b, size);
  return out;
}

/**
 * Verifies an SSH signature made by `key`. Contract: never throws; any malformed, mismatched
 * (signature algorithm not allowed for the key type) or invalid input yields false.
 */
export function verifyWithKey(key: SshPublicKey, signature: Uint8Array, data: Uint8Array): boolean {
  try {
    const sig = parseSshSignature(signature);
    if (!SIGNATURE_ALGORITHMS[key.type].includes(sig.algorithm)) return false;
    const keyObject = toKeyObject(key);
    switch (key.type) {
      case 'ssh-ed25519':
        return sig.blob.length === 64 && verify(null, data, keyObject, sig.blob);
      case 'ssh-rsa': {
        // OpenSSH accepts signatures shorter than the modulus and left-pads them; OpenSSL does not.
        const padded = leftPad(sig.blob, Math.ceil(key.bits / 8));
        if (padded === null) return false;
        return verify(sig.algorithm === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, keyObject, padded);
      }
      default: {
        const params = ECDSA[key.type];
        if (params === undefined) return false;
        const p1363 = ecdsaP1363(sig.blob, params.size);
        if (p1363 === null) return false;
        return verify(params.hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, p1363);
      }
    }
  } catch {
    return false;
  }
}

/**
 * Verifies `sshSignatureBlob` (string sig-algo, string sig) over `data` with the plain public key
 * `publicKeyBlob`. Never throws: hostile or malformed input of any kind returns false.
 */
export function verifySshSignature(publicKeyBlob: Uint8Array, sshSignatureBlob: Uint8Array, data: Uint8Array): boolean {
  let key: SshPublicKey;
  try {
    key = parsePublicKeyBlob(publicKeyBlob);
  } catch {
    return false;
  }
  return verifyWithKey(key, sshSignatureBlob, data);
}
