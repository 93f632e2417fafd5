/**
 * web: HTTP APIs of bulwark. Today: the certificate issuing endpoint (issuer.ts) and the startup
 * of identity services for `bulwark serve` (services.ts). Never imports openid-client: token
 * checks go through oidc/.
 *
 * Trust boundary: every request is hostile; identity comes only from tokens oidc/ verified.
 * Known limits: no auditor UI yet; the refusal limit is per process (limiter.ts).
 */
export * from './errors.js';
export { createIssuerHandler, type IssuerDeps, type LoginInfo } from './issuer.js';
export { startIdentityServices, type IdentityServices, type IdentityOptions } from './services.js';
