/**
 * Stable error codes of approvals/ (documented in docs/errors/approvals.md). Refusals of a
 * decision are values ({ ok: false, code, message }), not exceptions; only a store that cannot
 * be opened or written throws ApprovalError.
 */
import { BulwarkError } from '../core/errors.js';

export type ApprovalErrorCode =
  | 'ERR_APPROVAL_NOT_FOUND'
  | 'ERR_APPROVAL_NOT_PENDING'
  | 'ERR_APPROVAL_EXPIRED'
  | 'ERR_APPROVAL_SELF'
  | 'ERR_APPROVAL_AGENT'
  | 'ERR_APPROVAL_NOT_PERMITTED'
  | 'ERR_APPROVAL_ALREADY_DECIDED'
  | 'ERR_APPROVAL_USAGE'
  | 'ERR_APPROVAL_STORE';

export class ApprovalError extends BulwarkError<ApprovalErrorCode> {}
