/**
 * OIDC token verification against the configured issuers: discovery, JWKS (cached, refetched
 * when a token names an unknown kid, as during key rotation), `iss`, `aud`, `exp`/`nbf` with a
 * small skew, and an algorithm allowlist (RS256, ES256, EdDSA; never `none` or HS*).
 *
 * Trust boundary: the token is attacker-supplied until jose has checked its signature with a key
 * fetched from the issuer's own discovery document; its unverified `iss` is only used to pick
 * which configured issuer to check against. Discovery and JWKS are trusted as far as TLS (or
 * loopback, for the dev IdP) makes them.
 * Known limits: JWT tokens only (opaque access tokens would need introspection); the discovery
 * document is cached for the process lifetime; a kid miss refetches at most once per cooldown.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcIssuerConfig } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import { mapClaims, type OidcIdentity } from './claims.js';
import { OidcError } from './errors.js';

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

export interface VerifierOptions {
  /** Seconds of tolerated clock difference for exp/nbf/iat. */
  readonly clockToleranceSeconds?: number;
  /** Minimum time between JWKS refetches triggered by unknown kids (ms). */
  readonly jwksCooldownMs?: number;
  readonly fetchTimeoutMs?: number;
  readonly now?: () => number;
}

export interface VerifiedToken {
  readonly identity: OidcIdentity;
  readonly claims: JWTPayload;
}

type Jwks = ReturnType<typeof createRemoteJWKSet>;

export class TokenVerifier {
  private readonly jwks = new Map<string, Promise<Jwks>>();

  constructor(
    readonly issuers: readonly OidcIssuerConfig[],
    private readonly opts: VerifierOptions = {},
  ) {}

  /** The configured issuer whose `issuer` is exactly `iss`. */
  issuerFor(iss: string): OidcIssuerConfig | undefined {
    return this.issuers.find((i) => i.issuer === iss);
  }

  private async discover(cfg: OidcIssuerConfig): Promise<Jwks> {
    const url = `${cfg.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: Record<string, unknown>;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 5000), redirect: 'error' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as Record<string, unknown>;
    } catch (e) {
      throw new OidcError('ERR_OIDC_IDP_UNREACHABLE', `the identity provider ${cfg.issuer} is unreachable (discovery at ${url}: ${describeError(e)}); existing certificates keep working, new logins cannot be verified`);
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
    if (doc['issuer'] !== cfg.issuer) throw new OidcError('ERR_OIDC_IDP_UNREACHABLE', `discovery at ${url} names issuer ${String(doc['issuer'])}, not ${cfg.issuer}`);
    if (typeof doc['jwks_uri'] !== 'string') throw new OidcError('ERR_OIDC_IDP_UNREACHABLE', `discovery at ${url} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc['jwks_uri']), {
      cooldownDuration: this.opts.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 600_000,
      timeoutDuration: this.opts.fetchTimeoutMs ?? 5000,
    });
  }

  private jwksFor(cfg: OidcIssuerConfig): Promise<Jwks> {
    let p = this.jwks.get(cfg.issuer);
    if (p === undefined) {
      p = this.discover(cfg);
      // A failed discovery is retried on the next token rather than cached forever.
      p.catch(() => this.jwks.delete(cfg.issuer));
      this.jwks.set(cfg.issuer, p);
    }
    return p;
  }

  /** Verifies `token` and maps its claims; throws OidcError with a code saying what failed. */
  async verify(token: string): Promise<VerifiedToken> {
    const trimmed = token.trim();
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(trimmed);
      unverified = decodeJwt(trimmed);
    } catch (e) {
      throw new OidcError('ERR_OIDC_TOKEN_MALFORMED', `the token is not a signed JWT (an ID token or a JWT access token): ${describeError(e)}`);
    }
    if (typeof header.alg !== 'string' || !(ALLOWED_ALGORITHMS as readonly string[]).includes(header.alg)) {
      throw new OidcError('ERR_OIDC_ALG_REFUSED', `token algorithm "${String(header.alg).slice(0, 20)}" is not allowed (only ${ALLOWED_ALGORITHMS.join(', ')})`);
    }
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    const cfg = this.issuerFor(iss);
    if (cfg === undefined) {
      throw new OidcError('ERR_OIDC_ISSUER_UNTRUSTED', `token issuer "${iss.slice(0, 200)}" is not a configured issuer (${this.issuers.map((i) => i.issuer).join(', ') || 'none'})`);
    }
    const jwks = await this.jwksFor(cfg);
    const audience = cfg.audience ?? (cfg.clientId as string);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(trimmed, jwks, {
        issuer: cfg.issuer,
        audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: this.opts.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp'],
        ...(this.opts.now ? { currentDate: new Date(this.opts.now()) } : {}),
      }));
    } catch (e) {
      throw mapJoseError(e, cfg.issuer, audience);
    }
    return { identity: mapClaims(payload, cfg), claims: payload };
  }
}

function mapJoseError(e: unknown, issuer: string, audience: string | readonly string[]): OidcError {
  const msg = describeError(e);
  if (e instanceof joseErrors.JWTExpired) return new OidcError('ERR_OIDC_EXPIRED', `the token has expired (${msg}); log in again`);
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return new OidcError('ERR_OIDC_AUDIENCE', `the token's audience is not ${[audience].flat().join(' or ')}: it was issued for another client`);
    if (e.claim === 'nbf' || e.claim === 'iat') return new OidcError('ERR_OIDC_NOT_YET_VALID', `the token is not valid yet (${msg}); check the clocks`);
    return new OidcError('ERR_OIDC_CLAIMS', `token claim check failed: ${msg}`);
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey) return new OidcError('ERR_OIDC_KEY_UNKNOWN', `the token is signed with a key ${issuer} does not publish`);
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return new OidcError('ERR_OIDC_SIGNATURE_INVALID', 'the token signature does not verify: it was altered or forged');
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return new OidcError('ERR_OIDC_ALG_REFUSED', msg);
  if (e instanceof joseErrors.JWKSTimeout || e instanceof TypeError) {
    return new OidcError('ERR_OIDC_IDP_UNREACHABLE', `the identity provider ${issuer} is unreachable (JWKS: ${msg})`);
  }
  if (e instanceof joseErrors.JOSEError) return new OidcError('ERR_OIDC_TOKEN_MALFORMED', `the token was refused: ${msg}`);
  return new OidcError('ERR_OIDC_TOKEN_MALFORMED', `the token could not be verified: ${msg}`);
}
