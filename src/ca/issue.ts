/**
 * Issuing OpenSSH user certificates (PROTOCOL.certkeys) with a CA private key held as a node
 * KeyObject. The result verifies with `ssh-keygen -L` and logs in through auth/.
 *
 * Trust boundary: the caller (web/issuer.ts, cli/ca.ts) has already decided WHO gets WHAT; this
 * module only checks that the request is well-formed (non-empty key ID and principals without
 * commas or control characters, a sane validity window, option names) and encodes it exactly.
 * Known limits: user certificates only; the subject key may be any type ca/ parses, the CA key
 * must be one signSsh supports (ed25519 in practice: what `bulwark ca init` creates).
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { CERT_KEY_TYPES, type CertKeyType } from './certificate.js';
import { encodePublicKey, signSsh } from './encode.js';
import { IssueError } from './issue-errors.js';
import { decodeKeyLine, parsePublicKeyBlob } from './publickey.js';
import { WireReader, WireWriter } from './wire.js';

export interface IssueRequest {
  readonly caKey: KeyObject;
  /** The subject's public key: an SSH wire blob or a `type base64 [comment]` line. */
  readonly publicKey: Uint8Array | string;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly serial: bigint;
  /** Unix seconds. */
  readonly validAfter: number;
  readonly validBefore: number;
  readonly kind: 'user';
  /** name → value; `null` or '' for a flag. */
  readonly criticalOptions?: Readonly<Record<string, string | null>>;
  readonly extensions?: Readonly<Record<string, string | null>>;
}

export interface IssuedCertificate {
  readonly blob: Uint8Array;
  /** `ssh-ed25519-cert-v01@openssh.com AAAA... keyId`, as in a `-cert.pub` file. */
  readonly line: string;
}

const CERT_TYPE_OF = Object.fromEntries(Object.entries(CERT_KEY_TYPES).map(([cert, plain]) => [plain, cert])) as Record<string, CertKeyType>;
const SAFE_TEXT = /^[^\x00-\x1f\x7f]+$/;
const OPTION_NAME = /^[A-Za-z0-9@._-]{1,64}$/;

function bad(message: string): never {
  throw new IssueError('ERR_CERT_ISSUE_INVALID', message);
}

/**
 * PROTOCOL.certkeys: options sorted by name; a flag has empty data, a value is a string wrapped
 * in a string. Sorting here (byte order) matches what ca/certificate.ts insists on when parsing.
 */
function encodeOptions(options: Readonly<Record<string, string | null>> | undefined, what: string): Uint8Array {
  const w = new WireWriter();
  const names = Object.keys(options ?? {}).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    if (!OPTION_NAME.test(name)) bad(`${what} name "${name.slice(0, 40)}" is not allowed`);
    const value = options?.[name];
    w.string(name);
    if (value === null || value === undefined || value === '') w.string(new Uint8Array(0));
    else {
      if (!SAFE_TEXT.test(value)) bad(`${what} "${name}" has control characters`);
      w.string(new WireWriter().string(value).toBytes());
    }
  }
  return w.toBytes();
}

function subjectBlob(input: Uint8Array | string): Uint8Array {
  try {
    const blob = typeof input === 'string' ? decodeKeyLine(input.trim()).blob : input;
    parsePublicKeyBlob(blob);
    return blob;
  } catch (e) {
    return bad(`the public key is not a usable SSH public key: ${(e as Error).message}`);
  }
}

/** Signs a user certificate for `publicKey`. Throws IssueError on a malformed request. */
export function issueCertificate(req: IssueRequest): IssuedCertificate {
  if (req.kind !== 'user') bad('only user certificates are issued');
  if (req.keyId === '' || req.keyId.length > 256 || !SAFE_TEXT.test(req.keyId)) bad('key ID must be 1..256 printable characters');
  if (req.principals.length === 0) bad('at least one principal is required (a certificate without principals is valid for every login)');
  for (const p of req.principals) {
    if (p === '' || p.length > 64 || !SAFE_TEXT.test(p) || p.includes(',')) bad(`principal "${p.slice(0, 40)}" is not a valid login name`);
  }
  if (!Number.isSafeInteger(req.validAfter) || !Number.isSafeInteger(req.validBefore) || req.validAfter < 0 || req.validBefore <= req.validAfter) {
    bad('validity window must be whole seconds with validAfter < validBefore');
  }
  if (req.serial < 0n || req.serial >= 1n << 64n) bad('serial must fit in 64 bits');

  const blob = subjectBlob(req.publicKey);
  const r = new WireReader(blob);
  const plainType = r.readText('key type');
  const certType = CERT_TYPE_OF[plainType];
  if (certType === undefined) bad(`cannot certify a ${plainType} key`);
  // A certificate embeds the key's own fields (after its type name) unchanged.
  const keyFields = blob.subarray(r.position);

  const principals = new WireWriter();
  for (const p of req.principals) principals.string(p);
  const caBlob = encodePublicKey(req.caKey);
  const body = new WireWriter()
    .string(certType)
    .string(new Uint8Array(randomBytes(32)))
    .raw(keyFields)
    .uint64(req.serial)
    .uint32(1)
    .string(req.keyId)
    .string(principals.toBytes())
    .uint64(BigInt(req.validAfter))
    .uint64(BigInt(req.validBefore))
    .string(encodeOptions(req.criticalOptions, 'critical option'))
    .string(encodeOptions(req.extensions, 'extension'))
    .string(new Uint8Array(0))
    .string(caBlob)
    .toBytes();
  const signature = signSsh(req.caKey, body);
  const out = new WireWriter().raw(body).string(signature).toBytes();
  return { blob: out, line: `${certType} ${Buffer.from(out).toString('base64')} ${req.keyId.replace(/\s/g, '_')}` };
}


