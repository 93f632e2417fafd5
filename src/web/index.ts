/**
 * web: HTTP APIs of bulwark: the certificate issuing endpoint (issuer.ts), the startup of identity
 * services for `bulwark serve` (services.ts) and the auditor console (console/). Never imports
 * openid-client: token checks and login flows go through oidc/.
 *
 * Trust boundary: every request is hostile; identity comes only from tokens oidc/ verified.
 * Known limits: the refusal limit is per process (limiter.ts).
 */
export * from './errors.js';
export { createIssuerHandler, type IssuerDeps, type LoginInfo } from './issuer.js';
export { startIdentityServices, type IdentityServices, type IdentityOptions } from './services.js';
export { startConsole, type ConsoleHandle, type ConsoleOptions, type ReviewStore, type ReviewRequest, type ReviewPolicy } from './console/index.js';
