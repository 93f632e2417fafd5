import { BulwarkError } from '../core/errors.js';

/** Codes of the SSH wire reader: the input is not a well-formed SSH encoding. */
export type WireErrorCode =
  | 'ERR_SSH_WIRE_TRUNCATED'
  | 'ERR_SSH_WIRE_TRAILING_BYTES'
  | 'ERR_SSH_WIRE_BAD_MPINT'
  | 'ERR_SSH_WIRE_BAD_TEXT';

/** Codes for SSH public keys (wire blobs and authorized_keys-style lines). */
export type KeyErrorCode =
  | 'ERR_SSH_KEY_UNSUPPORTED'
  | 'ERR_SSH_KEY_MALFORMED'
  | 'ERR_SSH_KEY_WEAK'
  | 'ERR_SSH_KEY_LINE_MALFORMED';

/** Codes for OpenSSH certificates. */
export type CertErrorCode = 'ERR_CERT_UNSUPPORTED' | 'ERR_CERT_MALFORMED' | 'ERR_CERT_OPTIONS_ORDER';

/** Codes for OpenSSH key revocation lists. */
export type KrlErrorCode =
  | 'ERR_KRL_BAD_MAGIC'
  | 'ERR_KRL_UNSUPPORTED_VERSION'
  | 'ERR_KRL_MALFORMED'
  | 'ERR_KRL_CRITICAL_EXTENSION';

export type CaErrorCode = WireErrorCode | KeyErrorCode | CertErrorCode | KrlErrorCode;

/** A byte-level decoding failure; parsers above the wire layer let it propagate unchanged. */
export class WireError extends BulwarkError<WireErrorCode> {}

export class KeyError extends BulwarkError<KeyErrorCode> {}

export class CertificateError extends BulwarkError<CertErrorCode> {}

export class KrlError extends BulwarkError<KrlErrorCode> {}

/** Every error the ca module throws; narrow on `code`. */
export type CaError = WireError | KeyError | CertificateError | KrlError;

export function isCaError(value: unknown): value is CaError {
  return (
    value instanceof WireError ||
    value instanceof KeyError ||
    value instanceof CertificateError ||
    value instanceof KrlError
  );
}
