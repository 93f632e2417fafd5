/**
 * Verified token claims → the identity a certificate is issued for: subject, kind, groups and the
 * principals (login names) the claims grant.
 *
 * Trust boundary: input claims are already signature-checked (verify.ts) but their values are
 * still IdP- and user-influenced text, so every value is shape-checked before it reaches a
 * certificate. Known limits: groups that are not certificate-safe (e.g. "Domain Users" with a
 * space) are dropped and reported, not rewritten; nested claim paths are not supported.
 */
import type { JWTPayload } from 'jose';
import type { OidcIssuerConfig } from '../config/schema.js';
import { OidcError } from './errors.js';

export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly kind: 'human' | 'agent';
  readonly groups: readonly string[];
  /** Groups in the token that cannot go into a certificate (bad characters), for the audit log. */
  readonly droppedGroups: readonly string[];
  readonly principals: readonly string[];
  /** azp / client_id / single aud: which client obtained the token. */
  readonly clientId: string | undefined;
  /** Token expiry, unix seconds. */
  readonly expiresAt: number | undefined;
}

/** Same shape auth/ accepts in groups@bulwark (auth/certOptions.ts GROUP_NAME). */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;
const PRINCIPAL = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;
const SUBJECT = /^[^\x00-\x1f\x7f]{1,256}$/;

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** azp (OIDC), client_id (RFC 9068), cid (Okta), else a single aud. */
export function clientIdOf(claims: JWTPayload): string | undefined {
  for (const name of ['azp', 'client_id', 'cid']) {
    const v = claims[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  return typeof claims.aud === 'string' ? claims.aud : undefined;
}

/**
 * Client credentials tokens (RFC 9068 §2.2) carry the client as subject: `sub` equals
 * `client_id` (Okta: `cid`) because no user is involved. That, or a client listed in agentClients, is an agent.
 */
function kindOf(claims: JWTPayload, cfg: OidcIssuerConfig, clientId: string | undefined): 'human' | 'agent' {
  if (cfg.kind !== 'auto') return cfg.kind;
  if (clientId !== undefined && cfg.agentClients.includes(clientId)) return 'agent';
  const client = claims['client_id'] ?? claims['cid'];
  if (typeof client === 'string' && claims.sub === client) return 'agent';
  return 'human';
}

export function mapClaims(claims: JWTPayload, cfg: OidcIssuerConfig): OidcIdentity {
  let subject: string | undefined;
  for (const name of cfg.claims.subject) {
    const v = claims[name];
    if (typeof v === 'string' && v !== '') {
      subject = v;
      break;
    }
  }
  if (subject === undefined) throw new OidcError('ERR_OIDC_CLAIMS', `the token has none of the subject claims ${cfg.claims.subject.join(', ')}`);
  if (!SUBJECT.test(subject)) throw new OidcError('ERR_OIDC_CLAIMS', 'the subject claim has control characters or is longer than 256 characters');
  const rawGroups = [...new Set(stringList(claims[cfg.claims.groups]))];
  const groups = rawGroups.filter((g) => GROUP_NAME.test(g)).slice(0, 64);
  const droppedGroups = rawGroups.filter((g) => !groups.includes(g));
  const principals = new Set(stringList(claims[cfg.claims.principals]));
  for (const g of groups) for (const p of cfg.principalsByGroup[g] ?? []) principals.add(p);
  const bad = [...principals].find((p) => !PRINCIPAL.test(p));
  if (bad !== undefined) throw new OidcError('ERR_OIDC_CLAIMS', `principal "${bad.slice(0, 40)}" from the token is not a valid login name`);
  const clientId = clientIdOf(claims);
  return {
    issuer: cfg.issuer,
    subject,
    kind: kindOf(claims, cfg, clientId),
    groups,
    droppedGroups,
    principals: [...principals].sort(),
    clientId,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
  };
}
