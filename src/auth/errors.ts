import { BulwarkError } from '../core/errors.js';

/** Configuration-time failures of auth/ (refusals of a connection are AuthResult values, not errors). */
export type AuthErrorCode =
  | 'ERR_AUTH_TRUSTED_CA_LINE'
  | 'ERR_AUTH_TRUSTED_CA_FILE'
  | 'ERR_AUTH_DENY_LIST_LINE'
  | 'ERR_AUTH_REVOCATION_UNREADABLE';

export class AuthError extends BulwarkError<AuthErrorCode> {}
