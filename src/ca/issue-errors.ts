/**
 * Error codes of certificate issuance (src/ca/issue*.ts): reading the CA's private key file,
 * validating an issuance request, and the serial log. Documented in docs/errors/ca.md.
 */
import { BulwarkError } from '../core/errors.js';

export type IssueErrorCode =
  | 'ERR_CA_KEY_FILE'
  | 'ERR_CA_KEY_ENCRYPTED'
  | 'ERR_CA_KEY_UNSUPPORTED'
  | 'ERR_CERT_ISSUE_INVALID'
  | 'ERR_CA_SERIAL_LOG';

export class IssueError extends BulwarkError<IssueErrorCode> {}
