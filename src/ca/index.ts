/**
 * ca: the only module that parses SSH key, signature, certificate and KRL wire formats, and
 * verifies SSH signatures (node:crypto only). It also issues user certificates (issue.ts) with a
 * CA key read from an OpenSSH private key file (issue-keyfile.ts), serials from a log
 * (issue-serial.ts); who may get which certificate is decided by the caller (web/, cli/ca.ts).
 *
 * Trust boundary: every byte handed in (certificate blobs and signatures from the network, key
 * lines and KRLs from files) is hostile until parsed here. Parsers either return a fully
 * validated value or throw a typed CaError (codes in docs/errors/ca.md); they never read out of
 * bounds and never accept trailing bytes. Signature checks never throw: they return false.
 *
 * Known limits: only ed25519, ECDSA P-256/384/521 and RSA (>= 2048 bits) keys; no DSA, no FIDO
 * (sk-*) keys or certificates. `ssh-rsa` (SHA-1) signatures are always refused. KRL signature
 * sections are skipped, not verified. Policy decisions about a certificate (validity window,
 * principals, critical options) belong to auth/, not here.
 */
export * from './errors.js';
export { WireReader, WireWriter, bytesEqual } from './wire.js';
export {
  PLAIN_KEY_TYPES,
  MIN_RSA_BITS,
  MAX_RSA_BITS,
  isPlainKeyType,
  parsePublicKey,
  parsePublicKeyBlob,
  decodeKeyLine,
  fingerprint,
  toKeyObject,
  type PlainKeyType,
  type EcdsaCurve,
  type SshPublicKey,
  type Ed25519Key,
  type EcdsaKey,
  type RsaKey,
  type KeyLine,
} from './publickey.js';
export {
  SIGNATURE_ALGORITHMS,
  parseSshSignature,
  verifySshSignature,
  verifyWithKey,
  type SshSignature,
} from './signature.js';
export {
  CERT_KEY_TYPES,
  isCertKeyType,
  parseCertificate,
  parseCertificateLine,
  verifyCertificateSignature,
  type CertKeyType,
  type CertOption,
  type CertRole,
  type OpenSshCertificate,
} from './certificate.js';
export { Krl, parseKrl, isKrl } from './krl.js';
export { encodePublicKey, formatPublicKeyLine, signSsh } from './encode.js';
export { issueCertificate, type IssueRequest, type IssuedCertificate } from './issue.js';
export { readOpenSshPrivateKey, writeOpenSshPrivateKey, type OpenSshPrivateKey } from './issue-keyfile.js';
export { SerialLog } from './issue-serial.js';
export { IssueError, type IssueErrorCode } from './issue-errors.js';
