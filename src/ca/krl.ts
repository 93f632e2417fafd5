import { createHash } from 'node:crypto';
import type { OpenSshCertificate } from './certificate.js';
import { KrlError } from './errors.js';
import { bytesEqual, WireReader } from './wire.js';

const MAGIC = new TextEncoder().encode('SSHKRL\n\0');
const FORMAT_VERSION = 1;

const SECTION = { certificates: 1, explicitKey: 2, sha1: 3, signature: 4, sha256: 5, extension: 255 } as const;
const CERT_SECTION = { serialList: 0x20, serialRange: 0x21, serialBitmap: 0x22, keyId: 0x23, extension: 0x39 } as const;

interface CertRevocations {
  /** null: the section applies to certificates from any CA. */
  readonly ca: Uint8Array | null;
  readonly serials: Set<bigint>;
  readonly ranges: Array<readonly [bigint, bigint]>;
  /** serial_offset and bitmap magnitude (bit N counted from the least significant end). */
  readonly bitmaps: Array<{ readonly offset: bigint; readonly bits: Uint8Array }>;
  /** Key IDs as hex of their bytes: KRLs carry bytes, not necessarily UTF-8. */
  readonly keyIds: Set<string>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function isKrl(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && bytesEqual(bytes.subarray(0, MAGIC.length), MAGIC);
}

/** A parsed OpenSSH key revocation list (PROTOCOL.krl). Immutable; checks are pure lookups. */
export class Krl {
  constructor(
    readonly version: bigint,
    readonly generatedAt: bigint,
    readonly comment: string,
    private readonly certSections: readonly CertRevocations[],
    private readonly explicitKeys: ReadonlySet<string>,
    private readonly sha1: ReadonlySet<string>,
    private readonly sha256: ReadonlySet<string>,
  ) {}

  /** Whether a plain key (by its wire blob) is revoked explicitly or by SHA1/SHA256 hash. */
  isKeyRevoked(publicKeyBlob: Uint8Array): boolean {
    return (
      this.explicitKeys.has(hex(publicKeyBlob)) ||
      this.sha1.has(createHash('sha1').update(publicKeyBlob).digest('hex')) ||
      this.sha256.has(createHash('sha256').update(publicKeyBlob).digest('hex'))
    );
  }

  /**
   * Why the certificate is revoked, or null. Like OpenSSH, this also revokes a certificate whose
   * own key or whose CA key is revoked as a plain key, and ignores serial 0 for serial checks
   * (0 is what ssh-keygen writes when no serial was asked for, so it names no one certificate).
   */
  revocationReason(cert: OpenSshCertificate): string | null {
    if (this.isKeyRevoked(cert.publicKey.blob)) return 'the certificate key is revoked by the KRL';
    if (this.isKeyRevoked(cert.signatureKey.blob)) return 'the signing CA key is revoked by the KRL';
    const keyId = hex(new TextEncoder().encode(cert.keyId));
    for (const s of this.certSections) {
      if (s.ca !== null && !bytesEqual(s.ca, cert.signatureKey.blob)) continue;
      if (s.keyIds.has(keyId)) return `key id "${cert.keyId}" is revoked by the KRL`;
      if (cert.serial === 0n) continue;
      if (s.serials.has(cert.serial)) return `serial ${cert.serial} is revoked by the KRL`;
      if (s.ranges.some(([lo, hi]) => cert.serial >= lo && cert.serial <= hi)) {
        return `serial ${cert.serial} is in a revoked range of the KRL`;
      }
      for (const b of s.bitmaps) {
        if (cert.serial < b.offset) continue;
        const index = cert.serial - b.offset;
        const byteFromEnd = index / 8n;
        if (byteFromEnd >= BigInt(b.bits.length)) continue;
        const byte = b.bits[b.bits.length - 1 - Number(byteFromEnd)] as number;
        if ((byte >> Number(index % 8n)) & 1) return `serial ${cert.serial} is revoked by a KRL bitmap`;
      }
    }
    return null;
  }

  isRevoked(cert: OpenSshCertificate): boolean {
    return this.revocationReason(cert) !== null;
  }
}

function malformed(message: string): KrlError {
  return new KrlError('ERR_KRL_MALFORMED', message);
}

/** Extensions (KRL and certificate-section): unknown critical ones must fail the whole KRL. */
function readExtension(data: Uint8Array, what: string): void {
  const r = new WireReader(data);
  const name = r.readText(`${what} name`);
  const critical = r.readBoolean(`${what} criticality`);
  r.readString(`${what} contents`);
  r.expectEnd(what);
  if (critical) throw new KrlError('ERR_KRL_CRITICAL_EXTENSION', `unsupported critical KRL extension "${name.slice(0, 80)}"`);
}

function readCertSection(data: Uint8Array): CertRevocations {
  const r = new WireReader(data);
  const caBlob = r.readString('certificate section CA key');
  r.readString('certificate section reserved');
  const s: CertRevocations = {
    ca: caBlob.length === 0 ? null : Uint8Array.from(caBlob),
    serials: new Set(),
    ranges: [],
    bitmaps: [],
    keyIds: new Set(),
  };
  while (!r.atEnd()) {
    const type = r.readByte('certificate subsection type');
    const sub = r.readString('certificate subsection');
    const body = new WireReader(sub);
    switch (type) {
      case CERT_SECTION.serialList:
        while (!body.atEnd()) s.serials.add(body.readUint64('revoked serial'));
        break;
      case CERT_SECTION.serialRange: {
        const lo = body.readUint64('serial range min');
        const hi = body.readUint64('serial range max');
        if (lo > hi) throw malformed(`serial range ${lo}-${hi} is inverted`);
        s.ranges.push([lo, hi]);
        break;
      }
      case CERT_SECTION.serialBitmap: {
        const offset = body.readUint64('bitmap serial offset');
        s.bitmaps.push({ offset, bits: Uint8Array.from(body.readPositiveMpint('revoked serial bitmap')) });
        break;
      }
      case CERT_SECTION.keyId:
        while (!body.atEnd()) s.keyIds.add(hex(body.readString('revoked key id')));
        break;
      case CERT_SECTION.extension:
        readExtension(sub, 'certificate extension');
        continue;
      default:
        throw malformed(`unknown certificate subsection type 0x${type.toString(16)}`);
    }
    body.expectEnd(`certificate subsection 0x${type.toString(16)}`);
  }
  return s;
}

function readHashes(data: Uint8Array, size: number, into: Set<string>, what: string): void {
  const r = new WireReader(data);
  while (!r.atEnd()) {
    const h = r.readString(what);
    if (h.length !== size) throw malformed(`${what} of ${h.length} bytes, expected ${size}`);
    into.add(hex(h));
  }
}

/**
 * Parses a binary OpenSSH KRL. Throws KrlError/WireError on anything malformed, an unknown
 * section, or an unsupported critical extension: a revocation list we half understood must not
 * be used as if it were complete. Signature sections are parsed and skipped (not verified):
 * OpenSSH >= 9.4 rejects them and the file's integrity is the operator's filesystem's job.
 */
export function parseKrl(input: Uint8Array): Krl {
  const bytes = Uint8Array.from(input);
  if (!isKrl(bytes)) throw new KrlError('ERR_KRL_BAD_MAGIC', 'not an OpenSSH KRL (bad magic)');
  const r = new WireReader(bytes.subarray(MAGIC.length));
  const format = r.readUint32('KRL format version');
  if (format !== FORMAT_VERSION) throw new KrlError('ERR_KRL_UNSUPPORTED_VERSION', `KRL format version ${format} is not supported`);
  const version = r.readUint64('KRL version');
  const generatedAt = r.readUint64('KRL generated date');
  r.readUint64('KRL flags');
  r.readString('KRL reserved');
  const comment = r.readText('KRL comment');
  const certSections: CertRevocations[] = [];
  const explicitKeys = new Set<string>();
  const sha1 = new Set<string>();
  const sha256 = new Set<string>();
  let signed = false;
  while (!r.atEnd()) {
    const type = r.readByte('KRL section type');
    if (type === SECTION.signature) {
      r.readString('KRL signature key');
      r.readString('KRL signature');
      signed = true;
      continue;
    }
    if (signed) throw malformed('KRL section after a signature section');
    const data = r.readString('KRL section');
    switch (type) {
      case SECTION.certificates:
        certSections.push(readCertSection(data));
        break;
      case SECTION.explicitKey: {
        const body = new WireReader(data);
        while (!body.atEnd()) explicitKeys.add(hex(body.readString('revoked key blob')));
        break;
      }
      case SECTION.sha1:
        readHashes(data, 20, sha1, 'SHA1 key hash');
        break;
      case SECTION.sha256:
        readHashes(data, 32, sha256, 'SHA256 key hash');
        break;
      case SECTION.extension:
        readExtension(data, 'KRL extension');
        break;
      default:
        throw malformed(`unknown KRL section type ${type}`);
    }
  }
  return new Krl(version, generatedAt, comment, certSections, explicitKeys, sha1, sha256);
}
