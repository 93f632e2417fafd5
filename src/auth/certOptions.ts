import { BlockList } from 'node:net';
import type { CertOption, OpenSshCertificate } from '../ca/index.js';
import { isPrincipalKind, type PrincipalKind } from '../core/identity.js';
import { canonicalIp, formatIp, hostBitsClear, parseIp } from './address.js';
import type { AuthRefusalCode, Permits } from './result.js';

type Refusal = { readonly code: AuthRefusalCode; readonly reason: string };
type Outcome<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & Refusal);

const refuse = (code: AuthRefusalCode, reason: string): { ok: false } & Refusal => ({ ok: false, code, reason });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function text(o: CertOption): string | null {
  if (o.data === null) return null;
  try {
    const s = strictUtf8.decode(o.data);
    return s.includes('\0') ? null : s;
  } catch {
    return null;
  }
}

const KNOWN_CRITICAL = new Set(['force-command', 'source-address', 'verify-required']);

export interface CriticalOutcome {
  readonly forceCommand?: string;
  readonly sourceAddresses?: readonly string[];
}

/**
 * Parses an OpenSSH source-address list: comma-separated addresses or CIDRs, IPv4 or IPv6, no
 * blanks, no host bits set past the prefix (as ssh-keygen itself enforces).
 */
export function parseSourceAddressList(value: string): { list: BlockList; entries: string[] } | null {
  const list = new BlockList();
  const entries = value.split(',');
  for (const entry of entries) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    if (!m) return null;
    const ip = parseIp(m[1] as string);
    if (ip === null || (m[1] as string).includes('%')) return null;
    const max = ip.family === 4 ? 32 : 128;
    const prefix = m[2] === undefined ? max : Number(m[2]);
    if (prefix > max || !hostBitsClear(ip, prefix)) return null;
    list.addSubnet(formatIp(ip), prefix, ip.family === 4 ? 'ipv4' : 'ipv6');
  }
  return { list, entries };
}

/** Enforces the critical options: any option we do not implement refuses the certificate. */
export function checkCriticalOptions(cert: OpenSshCertificate, address: string): Outcome<CriticalOutcome> {
  const unknown = cert.criticalOptions.find((o) => !KNOWN_CRITICAL.has(o.name));
  if (unknown) {
    return refuse('AUTH_UNKNOWN_CRITICAL_OPTION', `certificate has critical option "${unknown.name}", which bulwark does not implement`);
  }
  if (cert.criticalOptions.some((o) => o.name === 'verify-required')) {
    return refuse(
      'AUTH_VERIFY_REQUIRED_UNSUPPORTED',
      'certificate requires FIDO user verification (verify-required), which bulwark cannot check for this key type',
    );
  }
  let forceCommand: string | undefined;
  let sourceAddresses: string[] | undefined;
  for (const o of cert.criticalOptions) {
    const value = text(o);
    if (value === null) return refuse('AUTH_CRITICAL_OPTION_MALFORMED', `critical option "${o.name}" has no valid text value`);
    if (o.name === 'force-command') forceCommand = value;
    if (o.name === 'source-address') {
      const parsed = parseSourceAddressList(value);
      if (parsed === null) return refuse('AUTH_CRITICAL_OPTION_MALFORMED', `source-address "${value}" is not a valid address/CIDR list`);
      const ip = canonicalIp(address);
      if (ip === null || !parsed.list.check(formatIp(ip), ip.family === 4 ? 'ipv4' : 'ipv6')) {
        return refuse('AUTH_SOURCE_ADDRESS_DENIED', `connection from ${address} is outside the certificate's source-address ${value}`);
      }
      sourceAddresses = parsed.entries;
    }
  }
  return { ok: true, value: { ...(forceCommand !== undefined ? { forceCommand } : {}), ...(sourceAddresses ? { sourceAddresses } : {}) } };
}

export function permitsOf(cert: OpenSshCertificate): Permits {
  const has = (name: string) => cert.extensions.some((e) => e.name === name);
  return {
    pty: has('permit-pty'),
    portForwarding: has('permit-port-forwarding'),
    agentForwarding: has('permit-agent-forwarding'),
    x11: has('permit-X11-forwarding'),
    userRc: has('permit-user-rc'),
  };
}

export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;
export const MAX_GROUPS = 64;

/** kind@bulwark and groups@bulwark (DESIGN.md external contract). */
export function identityExtensions(
  cert: OpenSshCertificate,
  kindDefault: PrincipalKind,
): Outcome<{ kind: PrincipalKind; groups: string[] }> {
  const kindExt = cert.extensions.find((e) => e.name === 'kind@bulwark');
  let kind = kindDefault;
  if (kindExt !== undefined) {
    const v = text(kindExt);
    if (!isPrincipalKind(v)) {
      return refuse('AUTH_BAD_KIND', `extension kind@bulwark is ${v === null ? 'not text' : `"${v.slice(0, 40)}"`}; expected "human" or "agent"`);
    }
    kind = v;
  }
  const groupsExt = cert.extensions.find((e) => e.name === 'groups@bulwark');
  const groups: string[] = [];
  if (groupsExt !== undefined) {
    const v = text(groupsExt);
    if (v === null) return refuse('AUTH_BAD_GROUPS', 'extension groups@bulwark is not text');
    for (const raw of v.split(',')) {
      const g = raw.trim();
      if (g === '') continue;
      if (!GROUP_NAME.test(g)) return refuse('AUTH_BAD_GROUPS', `group "${g.slice(0, 40)}" has characters outside [A-Za-z0-9._:@/+-] or is too long`);
      if (!groups.includes(g)) groups.push(g);
    }
    if (groups.length > MAX_GROUPS) return refuse('AUTH_BAD_GROUPS', `${groups.length} groups exceed the limit of ${MAX_GROUPS}`);
  }
  return { ok: true, value: { kind, groups } };
}
