/**
 * oidc: the only importer of openid-client and oidc-provider. Verifies OIDC tokens (ID tokens and
 * JWT access tokens) against configured issuers and maps their claims to an identity; runs the
 * client side of login flows for `bulwark login`; runs the embedded development IdP.
 *
 * Trust boundary: tokens handed to `TokenVerifier.verify` are hostile until their signature is
 * checked with a key from the claimed issuer's discovery document, and only configured issuers
 * count. Claims are shape-checked before they can reach a certificate (claims.ts).
 * Known limits: JWT tokens only (no opaque-token introspection); RS256/ES256/EdDSA only; the dev
 * IdP keeps sessions in memory and must never face a network (loopback only, enforced by config).
 */
export * from './errors.js';
export { TokenVerifier, ALLOWED_ALGORITHMS, type VerifierOptions, type VerifiedToken } from './verify.js';
export { mapClaims, clientIdOf, type OidcIdentity } from './claims.js';
export { deviceLogin, browserLogin, clientCredentialsLogin, discoverIssuer, type LoginTarget, type DevicePrompt } from './login.js';
export {
  startDevIdp,
  loadOrCreateDevIdpState,
  DEV_AGENT_CLIENT_ID,
  DEV_CLI_CLIENT_ID,
  DEV_ENGINEER_EMAIL,
  DEV_AUDITOR_EMAIL,
  DEV_CONSOLE_CLIENT_ID,
  DEV_RESOURCE,
  type DevIdp,
} from './dev-idp.js';
export { beginWebLogin, completeWebLogin, type PendingWebLogin } from './web-login.js';
export { sshConfigBlock, includeInUserConfig, type LoginInfo } from './login-files.js';
