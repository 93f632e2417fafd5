/**
 * Hash chain and checkpoint signatures. Each record (one line, without its newline) has digest
 * d_i = SHA-256(bytes_i); the chain is c_0 = SHA-256(FORMAT_TAG), c_i = SHA-256(c_{i-1} || d_i).
 * Hashing the digest rather than the bytes again keeps one pass over the output (1 GiB sessions)
 * at the same strength. A checkpoint signs (seq, c_seq, short digests since the last checkpoint),
 * so the verifier can both trust the chain and point at the first record that differs.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { FORMAT_TAG, type CheckpointRecord } from './format.js';

const SIG_DOMAIN = 'bulwark.checkpoint.v1\n';
export const SHORT_HEX = 12;

export function initialChain(): Buffer {
  return createHash('sha256').update(FORMAT_TAG).digest();
}

export function recordDigest(line: Buffer | string): Buffer {
  return createHash('sha256').update(line).digest();
}

export function nextChain(prev: Buffer, digest: Buffer): Buffer {
  return createHash('sha256').update(prev).update(digest).digest();
}

export function shortHash(digest: Buffer): string {
  return digest.subarray(0, SHORT_HEX / 2).toString('hex');
}

/** The exact bytes a checkpoint signature covers: the record without `sig`, keys in their order. */
function signedBytes(ck: CheckpointRecord): Buffer {
  const { sig: _sig, ...rest } = ck;
  return Buffer.from(SIG_DOMAIN + JSON.stringify(rest), 'utf8');
}

export function signCheckpoint(ck: CheckpointRecord, privateKey: KeyObject): CheckpointRecord {
  return { ...ck, sig: sign(null, signedBytes(ck), privateKey).toString('base64') };
}

export function checkpointSignatureValid(ck: CheckpointRecord, publicKey: KeyObject): boolean {
  if (typeof ck.sig !== 'string') return false;
  // Node's base64 decoder skips characters outside the alphabet and ignores the unused low bits of
  // the last symbol, so several strings decode to one signature. Only the canonical encoding is
  // accepted; otherwise a byte of the seal could change and the file would still verify.
  const raw = Buffer.from(ck.sig, 'base64');
  if (raw.toString('base64') !== ck.sig) return false;
  try {
    return verify(null, signedBytes(ck), publicKey, raw);
  } catch {
    return false;
  }
}

/** Shape check before trusting any field of a parsed checkpoint. */
export function isCheckpointShape(r: unknown): r is CheckpointRecord {
  if (typeof r !== 'object' || r === null) return false;
  const c = r as Record<string, unknown>;
  return (
    c.kind === 'checkpoint' &&
    typeof c.t === 'number' &&
    Number.isSafeInteger(c.seq) &&
    typeof c.chain === 'string' &&
    Array.isArray(c.recs) &&
    c.recs.every((x) => typeof x === 'string') &&
    typeof c.sig === 'string'
  );
}
