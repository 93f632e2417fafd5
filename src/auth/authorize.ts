import {
  bytesEqual,
  fingerprint,
  parseCertificate,
  parseSshSignature,
  verifyCertificateSignature,
  verifyWithKey,
  type CertKeyType,
  type OpenSshCertificate,
} from '../ca/index.js';
import { describeError } from '../core/errors.js';
import type { Identity, PrincipalKind } from '../core/identity.js';
import { checkCriticalOptions, identityExtensions, permitsOf } from './certOptions.js';
import type { AuthRefusalCode, AuthRefused, AuthResult, ClaimedCertificate } from './result.js';
import type { RevocationCheck } from './revocationList.js';
import type { TrustedCa } from './trustedCa.js';

/**
 * Tolerated clock difference, in seconds, between the issuing CA and this bastion. Certificates
 * are short-lived and issued with valid_after = "now" on the CA host; without slack, a bastion
 * whose clock trails by a second would refuse every fresh certificate. One minute covers NTP-
 * synchronised hosts while extending an expired certificate's life by at most that minute.
 */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
/** Beyond this the "skew" is a misconfiguration that would quietly revive expired certificates. */
export const MAX_CLOCK_SKEW_SECONDS = 600;

export interface AuthorizeInput {
  /** ssh2 `ctx.key.data`: the certificate blob. */
  readonly certBlob: Uint8Array;
  /** ssh2 `ctx.key.algo`: the algorithm name the client offered. */
  readonly keyAlgo: string;
  /** ssh2 `ctx.signature` (string sig-algo, string sig); absent on the query step. */
  readonly signature?: Uint8Array;
  /** ssh2 `ctx.blob`: what the client signed. Required when `signature` is given. */
  readonly signedData?: Uint8Array;
  readonly username: string;
  readonly source: { readonly address: string; readonly port: number };
  readonly trustedCas: readonly TrustedCa[];
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly clockSkewSeconds?: number;
  readonly revocation: RevocationCheck;
  /** Kind for certificates without kind@bulwark; DESIGN.md says the stricter "agent". */
  readonly kindDefault: PrincipalKind;
}

/** keyAlgo → the certificate type it names and the user signature algorithm it implies. */
const KEY_ALGOS: Readonly<Record<string, { cert: CertKeyType; signature: string }>> = {
  'ssh-ed25519-cert-v01@openssh.com': { cert: 'ssh-ed25519-cert-v01@openssh.com', signature: 'ssh-ed25519' },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { cert: 'ecdsa-sha2-nistp256-cert-v01@openssh.com', signature: 'ecdsa-sha2-nistp256' },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { cert: 'ecdsa-sha2-nistp384-cert-v01@openssh.com', signature: 'ecdsa-sha2-nistp384' },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { cert: 'ecdsa-sha2-nistp521-cert-v01@openssh.com', signature: 'ecdsa-sha2-nistp521' },
  'rsa-sha2-256-cert-v01@openssh.com': { cert: 'ssh-rsa-cert-v01@openssh.com', signature: 'rsa-sha2-256' },
  'rsa-sha2-512-cert-v01@openssh.com': { cert: 'ssh-rsa-cert-v01@openssh.com', signature: 'rsa-sha2-512' },
};

const MAX_SAFE_SECONDS = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 1000));

function claimedOf(cert: OpenSshCertificate): ClaimedCertificate {
  return {
    keyId: cert.keyId,
    serial: cert.serial.toString(),
    keyFingerprint: fingerprint(cert.publicKey.blob),
    caFingerprint: fingerprint(cert.signatureKey.blob),
  };
}

const isoOf = (seconds: bigint): string =>
  seconds >= MAX_SAFE_SECONDS ? 'forever' : new Date(Number(seconds) * 1000).toISOString();

/**
 * Decides whether a certificate presented in SSH publickey auth may log in as `username`. Pure:
 * no I/O, no clock reads, never throws. Checks run in a fixed order and the first failure is
 * returned with its own code, so logs say exactly which rule refused.
 */
export function authorizeCertificate(input: AuthorizeInput): AuthResult {
  let claimed: ClaimedCertificate | undefined;
  const refuse = (code: AuthRefusalCode, reason: string): AuthRefused => ({ ok: false, code, reason, ...(claimed ? { claimed } : {}) });
  try {
    const skew = input.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    if (!Number.isInteger(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) {
      return refuse('AUTH_BAD_REQUEST', `clockSkewSeconds ${skew} is not an integer in 0..${MAX_CLOCK_SKEW_SECONDS}`);
    }
    if (!Number.isFinite(input.now) || input.now < 0) return refuse('AUTH_BAD_REQUEST', 'now is not a valid time');

    // A plain key (no certificate) is the common mistake; say so rather than "does not parse".
    const algo = KEY_ALGOS[input.keyAlgo];
    if (algo === undefined && input.keyAlgo !== 'ssh-rsa-cert-v01@openssh.com') {
      return refuse('AUTH_KEY_ALGO_MISMATCH', `client offered "${input.keyAlgo.slice(0, 80)}", not a supported certificate algorithm; bulwark accepts certificates only`);
    }

    let cert: OpenSshCertificate;
    try {
      cert = parseCertificate(input.certBlob);
    } catch (e) {
      return refuse('AUTH_CERT_MALFORMED', `certificate does not parse: ${describeError(e)}`);
    }
    claimed = claimedOf(cert);

    if (input.keyAlgo === 'ssh-rsa-cert-v01@openssh.com') {
      return refuse('AUTH_KEY_ALGO_SHA1', 'client offered ssh-rsa-cert-v01 (RSA with SHA-1); use rsa-sha2-256/512');
    }
    if (algo === undefined || algo.cert !== cert.keyType) {
      return refuse('AUTH_KEY_ALGO_MISMATCH', `client offered key algorithm "${input.keyAlgo.slice(0, 80)}" for a ${cert.keyType} certificate`);
    }
    if (cert.certType !== 'user') return refuse('AUTH_NOT_USER_CERT', 'a host certificate cannot authenticate a user');

    const ca = input.trustedCas.find((t) => bytesEqual(t.key.blob, cert.signatureKey.blob));
    if (ca === undefined) return refuse('AUTH_CA_UNTRUSTED', `certificate is signed by ${claimed.caFingerprint}, which is not a trusted CA`);
    if (!verifyCertificateSignature(cert)) {
      return refuse('AUTH_CA_SIGNATURE_INVALID', `the CA signature (${cert.signatureAlgorithm}) over the certificate is invalid or uses a refused algorithm`);
    }

    if (input.signature !== undefined) {
      if (input.signedData === undefined) return refuse('AUTH_BAD_REQUEST', 'a signature was given without the data it signs');
      let sigAlgo: string;
      try {
        sigAlgo = parseSshSignature(input.signature).algorithm;
      } catch (e) {
        return refuse('AUTH_USER_SIGNATURE_INVALID', `user signature is malformed: ${describeError(e)}`);
      }
      if (sigAlgo !== algo.signature) {
        return refuse('AUTH_USER_SIGNATURE_INVALID', `user signature uses "${sigAlgo.slice(0, 80)}" but the client offered ${input.keyAlgo}`);
      }
      if (!verifyWithKey(cert.publicKey, input.signature, input.signedData)) {
        return refuse('AUTH_USER_SIGNATURE_INVALID', 'user signature does not verify with the certified key');
      }
    }

    const nowSeconds = BigInt(Math.floor(input.now / 1000));
    const slack = BigInt(skew);
    if (nowSeconds + slack < cert.validAfter) {
      return refuse('AUTH_CERT_NOT_YET_VALID', `certificate is valid from ${isoOf(cert.validAfter)} (skew ${skew}s)`);
    }
    if (nowSeconds - slack >= cert.validBefore) {
      return refuse('AUTH_CERT_EXPIRED', `certificate expired at ${isoOf(cert.validBefore)} (skew ${skew}s)`);
    }

    if (cert.principals.length === 0) return refuse('AUTH_NO_PRINCIPALS', 'certificate lists no principals');
    if (!cert.principals.includes(input.username)) {
      return refuse('AUTH_PRINCIPAL_MISMATCH', `login "${input.username.slice(0, 64)}" is not among the certificate's principals`);
    }

    const critical = checkCriticalOptions(cert, input.source.address);
    if (!critical.ok) return refuse(critical.code, critical.reason);

    const revocation = input.revocation.check(cert);
    if (revocation.revoked) return refuse('AUTH_CERT_REVOKED', `certificate is revoked: ${revocation.reason}`);

    if (cert.keyId === '') return refuse('AUTH_EMPTY_KEY_ID', 'certificate has an empty key ID, so no subject');
    const ext = identityExtensions(cert, input.kindDefault);
    if (!ext.ok) return refuse(ext.code, ext.reason);

    const identity: Identity = {
      subject: cert.keyId,
      kind: ext.value.kind,
      groups: ext.value.groups,
      principal: input.username,
      serial: claimed.serial,
      caFingerprint: claimed.caFingerprint,
      keyFingerprint: claimed.keyFingerprint,
      source: { address: input.source.address, port: input.source.port },
      validBefore: cert.validBefore >= MAX_SAFE_SECONDS ? Number.MAX_SAFE_INTEGER : Number(cert.validBefore) * 1000,
    };
    return {
      ok: true,
      identity,
      permits: permitsOf(cert),
      ...(critical.value.forceCommand !== undefined ? { forceCommand: critical.value.forceCommand } : {}),
      ...(critical.value.sourceAddresses !== undefined ? { sourceAddresses: critical.value.sourceAddresses } : {}),
      signatureVerified: input.signature !== undefined,
    };
  } catch (e) {
    return refuse('AUTH_INTERNAL_ERROR', `internal error while checking the certificate: ${describeError(e)}`);
  }
}
