/**
 * Stable error codes of oidc/ (token verification, claim mapping, login flows, development IdP).
 * Documented in docs/errors/oidc.md; callers narrow on `code`, never on message text.
 */
import { BulwarkError } from '../core/errors.js';

export type OidcErrorCode =
  | 'ERR_OIDC_TOKEN_MALFORMED'
  | 'ERR_OIDC_ALG_REFUSED'
  | 'ERR_OIDC_ISSUER_UNTRUSTED'
  | 'ERR_OIDC_KEY_UNKNOWN'
  | 'ERR_OIDC_SIGNATURE_INVALID'
  | 'ERR_OIDC_AUDIENCE'
  | 'ERR_OIDC_EXPIRED'
  | 'ERR_OIDC_NOT_YET_VALID'
  | 'ERR_OIDC_CLAIMS'
  | 'ERR_OIDC_IDP_UNREACHABLE'
  | 'ERR_OIDC_LOGIN_FAILED'
  | 'ERR_OIDC_DEV_IDP';

export class OidcError extends BulwarkError<OidcErrorCode> {}
