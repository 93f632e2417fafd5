/**
 * auth: who is connecting. Turns an OpenSSH user certificate presented in SSH publickey auth
 * into an Identity, or a refusal value with a stable code and a reason for the logs.
 *
 * Trust boundary: the certificate, signature, signed data, username and source address come from
 * the network via ssh/; trusted CA files and the revocation list come from the operator. Only a
 * certificate signed by a configured CA, with valid signatures, inside its validity window (plus
 * a bounded clock skew), naming the requested login as principal, meeting every critical option
 * and not revoked, is accepted. Everything else is refused (fail closed), never thrown.
 *
 * Known limits: no FIDO (sk-*) keys, so `verify-required` certificates are refused; critical
 * options beyond force-command/source-address/verify-required are refused; `ssh-rsa` (SHA-1)
 * signatures are refused; the rate limiter is per process and, when full, evicts the oldest
 * windows first (a flood of distinct sources can push a blocked one out); a text deny list is not
 * scoped to a CA. An accepted result without `signatureVerified` is only the query step.
 */
export * from './errors.js';
export * from './result.js';
export {
  authorizeCertificate,
  DEFAULT_CLOCK_SKEW_SECONDS,
  MAX_CLOCK_SKEW_SECONDS,
  type AuthorizeInput,
} from './authorize.js';
export { parseSourceAddressList, GROUP_NAME, MAX_GROUPS } from './certOptions.js';
export { trustedCaFromLine, parseTrustedCas, loadTrustedCas, type TrustedCa } from './trustedCa.js';
export { DenyList } from './denyList.js';
export {
  RevocationList,
  NO_REVOCATION_LIST,
  loadRevocationFile,
  type RevocationCheck,
  type RevocationStatus,
  type RevocationListOptions,
} from './revocationList.js';
export { AuthRateLimiter, rateLimitKey, type AuthRateLimiterOptions } from './rateLimiter.js';
