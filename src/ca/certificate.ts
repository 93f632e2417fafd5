import { CertificateError } from './errors.js';
import { decodeKeyLine, parsePublicKeyBlob, readKeyFields, type PlainKeyType, type SshPublicKey } from './publickey.js';
import { parseSshSignature, verifyWithKey } from './signature.js';
import { decodeText, WireReader } from './wire.js';

/** Certificate key types we parse, mapped to the plain key type they certify. */
export const CERT_KEY_TYPES = {
  'ssh-ed25519-cert-v01@openssh.com': 'ssh-ed25519',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': 'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': 'ecdsa-sha2-nistp521',
  'ssh-rsa-cert-v01@openssh.com': 'ssh-rsa',
} as const satisfies Record<string, PlainKeyType>;
export type CertKeyType = keyof typeof CERT_KEY_TYPES;

export function isCertKeyType(value: string): value is CertKeyType {
  return Object.hasOwn(CERT_KEY_TYPES, value);
}

/** A critical option or extension. `data` is the unwrapped value, or null for a flag (no data). */
export interface CertOption {
  readonly name: string;
  readonly data: Uint8Array | null;
}

export type CertRole = 'user' | 'host';

export interface OpenSshCertificate {
  readonly keyType: CertKeyType;
  /** The whole certificate blob as received (a private copy). */
  readonly blob: Uint8Array;
  readonly nonce: Uint8Array;
  /** The certified key; its `blob` is the plain-key encoding (what fingerprints are taken over). */
  readonly publicKey: SshPublicKey;
  readonly serial: bigint;
  readonly certType: CertRole;
  readonly keyId: string;
  readonly principals: readonly string[];
  /** Seconds since the epoch; 0 and 2^64-1 are OpenSSH's "always" / "forever". */
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly criticalOptions: readonly CertOption[];
  readonly extensions: readonly CertOption[];
  readonly reserved: Uint8Array;
  /** The CA key, always a plain key (a certificate as CA is refused). */
  readonly signatureKey: SshPublicKey;
  readonly signatureAlgorithm: string;
  /** The SSH signature blob (string algo, string sig) by the CA. */
  readonly signature: Uint8Array;
  /** Exactly the bytes the CA signed: the blob up to, not including, the signature field. */
  readonly signedBytes: Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/**
 * Options must be strictly sorted by name (PROTOCOL.certkeys says "in lexical order"), which also
 * rules out duplicates: two readers could otherwise honour different copies of one option.
 */
function readOptions(outer: Uint8Array, what: string): CertOption[] {
  const r = new WireReader(outer);
  const out: CertOption[] = [];
  let previous: Uint8Array | null = null;
  while (!r.atEnd()) {
    const rawName = r.readString(`${what} name`);
    const name = decodeText(rawName, `${what} name`);
    if (previous !== null) {
      const c = compareBytes(previous, rawName);
      if (c === 0) throw new CertificateError('ERR_CERT_OPTIONS_ORDER', `${what} "${name}" appears twice`);
      if (c > 0) throw new CertificateError('ERR_CERT_OPTIONS_ORDER', `${what} "${name}" is out of lexical order`);
    }
    previous = rawName;
    const data = r.readString(`${what} "${name}" data`);
    if (data.length === 0) {
      out.push({ name, data: null });
      continue;
    }
    const inner = new WireReader(data);
    const value = inner.readString(`${what} "${name}" value`);
    inner.expectEnd(`${what} "${name}" data`);
    out.push({ name, data: value });
  }
  return out;
}

function readPrincipals(outer: Uint8Array): string[] {
  const r = new WireReader(outer);
  const out: string[] = [];
  while (!r.atEnd()) out.push(r.readText('principal'));
  return out;
}

/**
 * Parses an OpenSSH certificate blob (PROTOCOL.certkeys). Throws a typed CaError (WireError,
 * KeyError, CertificateError) on anything malformed; never verifies the signature (see
 * verifyCertificateSignature) nor judges validity, principals or options (that is auth/'s job).
 */
export function parseCertificate(blob: Uint8Array): OpenSshCertificate {
  const bytes = Uint8Array.from(blob);
  const r = new WireReader(bytes);
  const keyType = r.readText('certificate key type');
  if (!isCertKeyType(keyType)) {
    throw new CertificateError('ERR_CERT_UNSUPPORTED', `unsupported certificate type "${keyType.slice(0, 80)}"`);
  }
  const nonce = r.readString('nonce');
  const publicKey = readKeyFields(r, CERT_KEY_TYPES[keyType]);
  const serial = r.readUint64('serial');
  const typeCode = r.readUint32('certificate type');
  if (typeCode !== 1 && typeCode !== 2) {
    throw new CertificateError('ERR_CERT_MALFORMED', `certificate type ${typeCode} is neither 1 (user) nor 2 (host)`);
  }
  const keyId = r.readText('key id');
  const principals = readPrincipals(r.readString('valid principals'));
  const validAfter = r.readUint64('valid after');
  const validBefore = r.readUint64('valid before');
  const criticalOptions = readOptions(r.readString('critical options'), 'critical option');
  const extensions = readOptions(r.readString('extensions'), 'extension');
  const reserved = r.readString('reserved');
  const signatureKey = parsePublicKeyBlob(r.readString('signature key'));
  const signedBytes = bytes.subarray(0, r.position);
  const signature = r.readString('signature');
  r.expectEnd('certificate');
  const { algorithm } = parseSshSignature(signature);
  return {
    keyType,
    blob: bytes,
    nonce,
    publicKey,
    serial,
    certType: typeCode === 1 ? 'user' : 'host',
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions,
    extensions,
    reserved,
    signatureKey,
    signatureAlgorithm: algorithm,
    signature,
    signedBytes,
  };
}

/** A certificate from its one-line text form (`*-cert.pub`). */
export function parseCertificateLine(line: string): OpenSshCertificate & { readonly comment: string } {
  const decoded = decodeKeyLine(line);
  return { ...parseCertificate(decoded.blob), comment: decoded.comment };
}

/** The CA signature over the signed bytes. Never throws; refuses ssh-rsa (SHA-1) signatures. */
export function verifyCertificateSignature(cert: OpenSshCertificate): boolean {
  return verifyWithKey(cert.signatureKey, cert.signature, cert.signedBytes);
}
