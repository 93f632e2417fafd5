/**
 * Stable error codes of web/ (the certificate issuing endpoint, its startup, the console). Each
 * HTTP error body is `{ error: code, message }`; codes are documented in docs/errors/oidc.md and,
 * for the console, docs/errors/web.md.
 */
import { BulwarkError } from '../core/errors.js';

export type WebErrorCode =
  | 'ERR_WEB_BAD_REQUEST'
  | 'ERR_WEB_NOT_FOUND'
  | 'ERR_WEB_NO_PRINCIPALS'
  | 'ERR_WEB_PRINCIPAL_NOT_GRANTED'
  | 'ERR_WEB_RATE_LIMITED'
  | 'ERR_WEB_INTERNAL'
  | 'ERR_WEB_LISTEN'
  | 'ERR_WEB_CA_KEY'
  // The console (docs/errors/web.md).
  | 'ERR_WEB_UNAUTHENTICATED'
  | 'ERR_WEB_FORBIDDEN'
  | 'ERR_WEB_CSRF'
  | 'ERR_WEB_CONSOLE_LOGIN';

export class WebError extends BulwarkError<WebErrorCode> {}
