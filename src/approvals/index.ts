/**
 * approvals: review requests for commands a policy held (`review`), their lifecycle and their
 * durable store, and the `approvals …` commands approvers send over SSH. A leaf: no ssh2, no
 * node-pty; session/ wires it into exec and the guarded shell, the web console reads the same API.
 *
 * Trust boundary: identities come verified from auth/; the store enforces self-approval and
 * agent refusals itself and asks the policy (`approve` action, via the caller's mayApprove) who
 * else may decide. An approval is bound to requester subject, target and the SHA-256 of the exact
 * command bytes, and is single-use. Known limits: one bulwark process per state directory (no
 * cross-process locking); the webhook has no retries; expiry is noticed within ~5 s. See
 * docs/reviews.md.
 */
export { ApprovalStore, commandHash, newRequestId, DEFAULT_TTL_MS, type ApprovalStoreOptions } from './store.js';
export { runApprovalsCommand, isApprovalsCommand, describeRequest, splitWords, EXIT_REFUSED, EXIT_USAGE, type CommandResult } from './commands.js';
export { webhookBody } from './webhook.js';
export { JOURNAL_FILE } from './journal.js';
export { ApprovalError, type ApprovalErrorCode } from './errors.js';
export * from './types.js';
