import type { Identity } from '../core/identity.js';

/** Why a certificate was refused. Stable: logged, counted and documented in docs/errors/auth.md. */
export const AUTH_REFUSAL_CODES = [
  'AUTH_BAD_REQUEST',
  'AUTH_CERT_MALFORMED',
  'AUTH_KEY_ALGO_MISMATCH',
  'AUTH_KEY_ALGO_SHA1',
  'AUTH_NOT_USER_CERT',
  'AUTH_CA_UNTRUSTED',
  'AUTH_CA_SIGNATURE_INVALID',
  'AUTH_USER_SIGNATURE_INVALID',
  'AUTH_CERT_NOT_YET_VALID',
  'AUTH_CERT_EXPIRED',
  'AUTH_NO_PRINCIPALS',
  'AUTH_PRINCIPAL_MISMATCH',
  'AUTH_UNKNOWN_CRITICAL_OPTION',
  'AUTH_VERIFY_REQUIRED_UNSUPPORTED',
  'AUTH_CRITICAL_OPTION_MALFORMED',
  'AUTH_SOURCE_ADDRESS_DENIED',
  'AUTH_CERT_REVOKED',
  'AUTH_EMPTY_KEY_ID',
  'AUTH_BAD_KIND',
  'AUTH_BAD_GROUPS',
  'AUTH_INTERNAL_ERROR',
] as const;
export type AuthRefusalCode = (typeof AUTH_REFUSAL_CODES)[number];

/** What the certificate's standard extensions allow (OpenSSH `permit-*`). */
export interface Permits {
  readonly pty: boolean;
  readonly portForwarding: boolean;
  readonly agentForwarding: boolean;
  readonly x11: boolean;
  readonly userRc: boolean;
}

/** Certificate facts for the audit log of a refusal; unverified unless the CA signature passed. */
export interface ClaimedCertificate {
  readonly keyId: string;
  readonly serial: string;
  readonly keyFingerprint: string;
  readonly caFingerprint: string;
}

export interface AuthAccepted {
  readonly ok: true;
  readonly identity: Identity;
  readonly permits: Permits;
  readonly forceCommand?: string;
  readonly sourceAddresses?: readonly string[];
  /**
   * False for the "query" step (no signature given): the certificate is acceptable, but the
   * client has not proved it holds the key. Never treat that as authenticated.
   */
  readonly signatureVerified: boolean;
}

export interface AuthRefused {
  readonly ok: false;
  readonly code: AuthRefusalCode;
  /** A clear human sentence for logs; do not send it to the client (it helps attackers). */
  readonly reason: string;
  readonly claimed?: ClaimedCertificate;
}

export type AuthResult = AuthAccepted | AuthRefused;
