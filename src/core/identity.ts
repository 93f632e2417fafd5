/** Who is connecting, as established by a verified certificate. Carried on every audit event and
 * recording (security invariant 5). */
export const PRINCIPAL_KINDS = ['human', 'agent'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface Identity {
  /** Certificate key ID: the subject, e.g. an email or an agent's client id. */
  readonly subject: string;
  readonly kind: PrincipalKind;
  readonly groups: readonly string[];
  /** The login name the client asked for and the certificate allowed (an OpenSSH principal). */
  readonly principal: string;
  /** Certificate serial, decimal string (uint64 does not fit a JS number). */
  readonly serial: string;
  /** SHA256:... fingerprint of the CA key that signed the certificate. */
  readonly caFingerprint: string;
  /** SHA256:... fingerprint of the user's own key. */
  readonly keyFingerprint: string;
  readonly source: { readonly address: string; readonly port: number };
  /** Certificate validity, ms since epoch. */
  readonly validBefore: number;
}

export function isPrincipalKind(value: unknown): value is PrincipalKind {
  return typeof value === 'string' && (PRINCIPAL_KINDS as readonly string[]).includes(value);
}

/** The identity fields every log line and recording header carries. */
export function identityFields(id: Identity): Record<string, unknown> {
  return {
    subject: id.subject,
    kind: id.kind,
    groups: id.groups,
    principal: id.principal,
    serial: id.serial,
    ca: id.caFingerprint,
    source: `${id.source.address}:${id.source.port}`,
  };
}
