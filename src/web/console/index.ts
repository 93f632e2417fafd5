/**
 * console: the auditor web console (issue 9). Auditors find, replay and verify recordings;
 * approvers decide review requests. Served by `bulwark serve` on its own port, behind OIDC
 * authorization code + PKCE sign-in, with server-side web sessions, CSRF tokens and group checks.
 * See docs/console.md.
 *
 * Trust boundary: browsers are untrusted; identity comes only from ID tokens oidc/ verified;
 * recordings are judged by the same verifier and key as `bulwark verify`.
 * Known limits: sessions in memory (a restart signs everyone out); no paging of the list.
 */
export { startConsole, type ConsoleHandle, type ConsoleOptions } from './server.js';
export type { ReviewStore, ReviewRequest, ReviewPolicy } from './reviews.js';
